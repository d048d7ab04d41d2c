//! A small GDB remote-serial-protocol server on 127.0.0.1 for the `--gdb` tests: it serves a
//! RAM image (the nRF52840's RAM, seen at 0x2000_0000 and at its code-bus alias) holding a
//! SEGGER RTT control block, keeps every memory write, and acts as the firmware: each time the
//! client resumes the target (`c`), it appends frames to RTT up channel 0 while there is room,
//! moving the write offset; the read offset is whatever the client wrote back.
//!
//! Like a real server it serves memory only while the target is stopped: a packet other than
//! the `\x03` interrupt while it runs is counted as a violation (and not answered).
//!
//! `GDB_SERVER_TRACE=1` in the environment prints each packet received (with `--nocapture`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use ph_tap::probe::gdb::packet::{checksum, decode_body, frame, from_hex, to_hex};

use super::rtt_elf::{self, Image};

/// RAM at 0x2000_0000 (and at the code-bus alias), as big as the nRF52840's.
pub const RAM_SIZE: usize = 0x4_0000;
const CB: usize = (rtt_elf::CONTROL_BLOCK - rtt_elf::RAM) as usize;
/// Up channel 0's descriptor: name, buffer, size, WrOff, RdOff, flags.
const UP0_WR: usize = CB + 24 + 12;
const UP0_RD: usize = CB + 24 + 16;

/// What the server saw.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// `m` requests served.
    pub reads: u64,
    /// `M` requests served.
    pub writes: u64,
    /// Interrupts (`\x03`) while running.
    pub interrupts: u64,
    /// Resumes (`c`).
    pub resumes: u64,
    /// Packets other than `\x03` received while the target ran (must stay 0).
    pub violations: u64,
    /// Frames the simulated firmware has written to the ring so far.
    pub frames_written: usize,
}

struct State {
    ram: Vec<u8>,
    running: bool,
    /// The byte stream the firmware still has to write, and how far it got.
    stream: Vec<u8>,
    /// Where each frame ends in `stream`.
    frame_ends: Vec<usize>,
    written: usize,
    /// Frames appended per resume, at most.
    per_resume: usize,
    stats: Stats,
}

impl State {
    fn get32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.ram[at..at + 4].try_into().unwrap())
    }

    fn put32(&mut self, at: usize, v: u32) {
        self.ram[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// The firmware runs: appends whole frames while they fit in the ring (blocking mode:
    /// nothing is overwritten).
    fn run_firmware(&mut self) {
        let size = rtt_elf::UP0_SIZE as usize;
        let buf = (rtt_elf::UP0_BUF - rtt_elf::RAM) as usize;
        for _ in 0..self.per_resume {
            let Some(&end) = self.frame_ends.iter().find(|&&e| e > self.written) else {
                return;
            };
            let len = end - self.written;
            let wr = self.get32(UP0_WR) as usize;
            let rd = self.get32(UP0_RD) as usize;
            let used = (wr + size - rd) % size;
            if size - 1 - used < len {
                return;
            }
            for k in 0..len {
                self.ram[buf + (wr + k) % size] = self.stream[self.written + k];
            }
            self.written = end;
            self.put32(UP0_WR, ((wr + len) % size) as u32);
            self.stats.frames_written += 1;
        }
    }

    /// The RAM offset of `len` bytes at `addr`, in the RAM or its alias.
    fn ram_range(&self, addr: u64, len: usize) -> Option<usize> {
        for base in [u64::from(rtt_elf::RAM), u64::from(rtt_elf::RAM_CODE_ALIAS)] {
            if addr >= base && addr + len as u64 <= base + RAM_SIZE as u64 {
                return Some((addr - base) as usize);
            }
        }
        None
    }
}

/// A running server; [`GdbServer::stats`] reads its counters.
pub struct GdbServer {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    state: Arc<Mutex<State>>,
    conn: Arc<Mutex<Option<TcpStream>>>,
    _thread: JoinHandle<()>,
}

impl GdbServer {
    /// Serves one client; the simulated firmware writes `stream` (frames ending at
    /// `frame_ends`) to up channel 0, at most `per_resume` frames each time it runs.
    pub fn start(stream: Vec<u8>, frame_ends: Vec<usize>, per_resume: usize) -> Self {
        let mut ram = vec![0u8; RAM_SIZE];
        let image = rtt_elf::ram(&Image {
            with_control_block: true,
            up0: Vec::new(),
            with_symbol: true,
        });
        ram[..image.len()].copy_from_slice(&image);
        let mut state = State {
            ram,
            running: false,
            stream,
            frame_ends,
            written: 0,
            per_resume,
            stats: Stats::default(),
        };
        state.put32(UP0_WR, 0);
        state.put32(UP0_RD, 0);
        let state = Arc::new(Mutex::new(state));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let shared = Arc::clone(&state);
        let conn = Arc::new(Mutex::new(None));
        let conn_shared = Arc::clone(&conn);
        let thread = std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                *conn_shared.lock().unwrap() = stream.try_clone().ok();
                serve(stream, &shared);
            }
        });
        Self {
            addr,
            state,
            conn,
            _thread: thread,
        }
    }

    /// Closes the connection, as a server that is killed.
    pub fn stop(&self) {
        if let Some(conn) = self.conn.lock().unwrap().take() {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.state.lock().unwrap().stats.clone()
    }
}

fn serve(mut s: TcpStream, state: &Mutex<State>) {
    s.set_nodelay(true).unwrap();
    let mut ack = true;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        // Next unit: an interrupt byte or a whole packet.
        let packet = loop {
            if let Some(unit) = take_unit(&mut bytes) {
                break unit;
            }
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
        };
        let Unit::Packet(payload) = packet else {
            let mut st = state.lock().unwrap();
            if st.running {
                st.running = false;
                st.stats.interrupts += 1;
                drop(st);
                send(&mut s, b"T02thread:01;");
            }
            continue;
        };
        if ack {
            s.write_all(b"+").unwrap();
        }
        let reply = {
            let mut st = state.lock().unwrap();
            if st.running {
                st.stats.violations += 1;
                continue;
            }
            answer(&mut st, &payload)
        };
        // None for `c`: the reply comes when the target stops.
        if let Some(reply) = reply {
            send(&mut s, &reply);
            if payload == b"QStartNoAckMode" {
                ack = false;
            }
        }
    }
}

enum Unit {
    Interrupt,
    Packet(Vec<u8>),
}

fn take_unit(bytes: &mut Vec<u8>) -> Option<Unit> {
    while bytes.first().is_some_and(|&b| b == b'+' || b == b'-') {
        bytes.remove(0);
    }
    match bytes.first()? {
        0x03 => {
            bytes.remove(0);
            Some(Unit::Interrupt)
        }
        b'$' => {
            let hash = bytes.iter().position(|&b| b == b'#')?;
            if bytes.len() < hash + 3 {
                return None;
            }
            let raw = bytes[1..hash].to_vec();
            let sum = from_hex(&bytes[hash + 1..hash + 3]).unwrap()[0];
            assert_eq!(sum, checksum(&raw), "client checksum");
            bytes.drain(..hash + 3);
            Some(Unit::Packet(decode_body(&raw).unwrap()))
        }
        other => panic!("the client sent {other:#04x} where a packet should start"),
    }
}

fn send(s: &mut TcpStream, payload: &[u8]) {
    let _ = s.write_all(&frame(payload));
}

fn answer(st: &mut State, payload: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(payload).into_owned();
    if std::env::var_os("GDB_SERVER_TRACE").is_some() {
        eprintln!("server <- {}", &text[..text.len().min(60)]);
    }
    Some(if text.starts_with("qSupported") {
        b"PacketSize=1000;QStartNoAckMode+".to_vec()
    } else if text == "QStartNoAckMode" || text == "D" {
        b"OK".to_vec()
    } else if text == "?" || text == "s" {
        b"S05".to_vec()
    } else if text == "c" {
        st.running = true;
        st.stats.resumes += 1;
        st.run_firmware();
        return None;
    } else if let Some(args) = text.strip_prefix('m') {
        let (addr, len) = args.split_once(',').unwrap();
        let addr = u64::from_str_radix(addr, 16).unwrap();
        let len = usize::from_str_radix(len, 16).unwrap();
        st.stats.reads += 1;
        match st.ram_range(addr, len) {
            Some(at) => to_hex(&st.ram[at..at + len]).into_bytes(),
            // The system control space reads as zeros; anything else is not mapped.
            None if (0xE000_0000..0xE010_0000).contains(&addr) => "00".repeat(len).into_bytes(),
            None => b"E14".to_vec(),
        }
    } else if let Some(args) = text.strip_prefix('M') {
        let (head, data) = args.split_once(':').unwrap();
        let (addr, len) = head.split_once(',').unwrap();
        let addr = u64::from_str_radix(addr, 16).unwrap();
        let len = usize::from_str_radix(len, 16).unwrap();
        let data = from_hex(data.as_bytes()).unwrap();
        assert_eq!(data.len(), len);
        st.stats.writes += 1;
        match st.ram_range(addr, len) {
            Some(at) => {
                st.ram[at..at + len].copy_from_slice(&data);
                b"OK".to_vec()
            }
            None if (0xE000_0000..0xE010_0000).contains(&addr) => b"OK".to_vec(),
            None => b"E14".to_vec(),
        }
    } else if text.starts_with('p') {
        b"00000000".to_vec()
    } else if text.starts_with('P') {
        b"OK".to_vec()
    } else {
        Vec::new()
    })
}
