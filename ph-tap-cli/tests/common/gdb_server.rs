//! A small GDB remote-serial-protocol server on 127.0.0.1 for the `--gdb` tests: it serves a
//! RAM image (the nRF52840's RAM, seen at 0x2000_0000 and at its code-bus alias) holding a
//! SEGGER RTT control block, keeps every memory write, and acts as the firmware: each time the
//! client resumes the target (`c`), it appends frames to RTT up channel 0 while there is room,
//! moving the write offset (and, when given, log bytes to up channel 1, `defmt`); the read
//! offset is whatever the client wrote back.
//!
//! Like a real server it serves memory only while the target is stopped: a packet other than
//! the `\x03` interrupt while it runs is counted as a violation (and not answered).
//!
//! It also plays a core, as far as halting goes: registers (`p`/`P`, gdb's classic ARM
//! numbering), a VTOR, breakpoints (`Z0`/`Z1`/`z0`/`z1`; `Z1` can be refused), a PC that the
//! test moves ([`GdbServer::jump`]: the firmware branching, or faulting into its handler) and
//! that stops the running target with an asynchronous `T05` where a breakpoint or a `bkpt`
//! instruction is, a `c` that stops again at once on a breakpoint at the PC (as QEMU's does),
//! a reset (AIRCR) that loads the PC from the vector table, and an exit ([`GdbServer::exit`]:
//! `W` and the connection closed, as QEMU on a semihosting exit).
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
/// Up channel 1's: its buffer (16 bytes at 0x2000_0280), WrOff, RdOff.
const UP1_BUF: usize = 0x280;
const UP1_SIZE: usize = 16;
const UP1_WR: usize = CB + 48 + 12;
const UP1_RD: usize = CB + 48 + 16;

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
    /// Every `Z`/`z` packet, in order.
    pub breakpoint_packets: Vec<String>,
    /// Steps (`s`).
    pub steps: u64,
    /// Resets (AIRCR writes with `SYSRESETREQ`).
    pub resets: u64,
}

/// VTOR's address.
const VTOR: u64 = 0xE000_ED08;
/// AIRCR's address.
const AIRCR: u64 = 0xE000_ED0C;
/// gdb's number of the PC (classic ARM numbering).
pub const PC: usize = 15;
/// How many registers the server has (r0..pc, then cpsr at 25).
const REGS: usize = 26;

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
    /// The bytes the firmware writes to up channel 1, and how far it got.
    logs: Vec<u8>,
    logs_written: usize,
    stats: Stats,
    /// Core registers by gdb's classic ARM number.
    regs: [u32; REGS],
    vtor: u32,
    /// Breakpoints inserted, as their `Z` packets' arguments: type, address, kind.
    breakpoints: Vec<(u8, u32, u8)>,
    /// Answer `Z1` with an empty packet (no hardware breakpoints).
    refuse_hw: bool,
    /// The target stopped on its own, its stop reply not sent: it answers the next interrupt.
    unannounced_stop: bool,
    /// The connection, for stop replies sent while the target runs (under the state lock,
    /// so that they cannot interleave with the server thread's).
    conn: Option<TcpStream>,
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

    /// Whether the target, at `pc`, stops: a breakpoint is there, or a `bkpt` instruction.
    fn stops_at(&self, pc: u32) -> bool {
        self.breakpoints.iter().any(|&(_, at, _)| at == pc)
            || self
                .ram_range(u64::from(pc), 2)
                .is_some_and(|at| self.ram[at + 1] == 0xBE)
    }

    /// Sends a packet while the target runs (the caller holds the state lock).
    fn send_async(&mut self, payload: &[u8]) {
        if let Some(conn) = self.conn.as_mut() {
            send(conn, payload);
        }
    }

    /// A word of RAM, if `addr` is in it.
    fn ram_word(&self, addr: u32) -> Option<u32> {
        self.ram_range(u64::from(addr), 4).map(|at| self.get32(at))
    }

    /// The firmware logs: appends to up channel 1 as many log bytes as fit.
    fn run_logs(&mut self) {
        let wr = self.get32(UP1_WR) as usize;
        let rd = self.get32(UP1_RD) as usize;
        let free = UP1_SIZE - 1 - (wr + UP1_SIZE - rd) % UP1_SIZE;
        let n = free.min(self.logs.len() - self.logs_written);
        for k in 0..n {
            self.ram[UP1_BUF + (wr + k) % UP1_SIZE] = self.logs[self.logs_written + k];
        }
        self.logs_written += n;
        self.put32(UP1_WR, ((wr + n) % UP1_SIZE) as u32);
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
        Self::start_with_logs(stream, frame_ends, per_resume, Vec::new())
    }

    /// As [`start`](Self::start), and the firmware also writes `logs` to up channel 1
    /// (`defmt`, a 16-byte ring), as much as fits each time it runs.
    pub fn start_with_logs(
        stream: Vec<u8>,
        frame_ends: Vec<usize>,
        per_resume: usize,
        logs: Vec<u8>,
    ) -> Self {
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
            logs,
            logs_written: 0,
            stats: Stats::default(),
            regs: [0; REGS],
            vtor: 0,
            breakpoints: Vec::new(),
            refuse_hw: false,
            unannounced_stop: false,
            conn: None,
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
                shared.lock().unwrap().conn = stream.try_clone().ok();
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

    /// Puts a vector table at `vtor` (in RAM) with reset vector `reset` and HardFault handler
    /// `hardfault` (Thumb addresses), and points VTOR at it.
    pub fn set_vector_table(&self, vtor: u32, reset: u32, hardfault: u32) {
        let mut st = self.state.lock().unwrap();
        let at = st.ram_range(u64::from(vtor), 16).expect("a table in RAM");
        st.put32(at + 4, reset);
        st.put32(at + 12, hardfault);
        st.vtor = vtor;
    }

    /// Writes `bytes` to RAM at `addr` (the firmware, or its loader, did).
    pub fn write_ram(&self, addr: u32, bytes: &[u8]) {
        let mut st = self.state.lock().unwrap();
        let at = st.ram_range(u64::from(addr), bytes.len()).expect("RAM");
        st.ram[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Sets core register `number` (gdb's classic ARM numbering).
    pub fn set_register(&self, number: usize, value: u32) {
        self.state.lock().unwrap().regs[number] = value;
    }

    /// Core register `number` (gdb's classic ARM numbering).
    pub fn register(&self, number: usize) -> u32 {
        self.state.lock().unwrap().regs[number]
    }

    /// Answers `Z1` with an empty packet from now on, as a server without hardware
    /// breakpoints.
    pub fn refuse_hardware_breakpoints(&self) {
        self.state.lock().unwrap().refuse_hw = true;
    }

    /// The breakpoints inserted now, as their `Z` packets (`Z1,2003f100,2`).
    pub fn breakpoints(&self) -> Vec<String> {
        let st = self.state.lock().unwrap();
        st.breakpoints
            .iter()
            .map(|(kind, at, size)| format!("Z{kind},{at:x},{size:x}"))
            .collect()
    }

    /// Runs `f` on the state once the target runs (the client may be between a stop and its
    /// resume; it waits at most 2 s).
    fn when_running<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let start = std::time::Instant::now();
        loop {
            let mut st = self.state.lock().unwrap();
            if st.running {
                return f(&mut st);
            }
            drop(st);
            assert!(
                start.elapsed() < std::time::Duration::from_secs(2),
                "the target is not running"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// The running firmware branches to `pc` (a fault enters its handler, a call reaches a
    /// `bkpt`): if a breakpoint or a `bkpt` is there, the target stops and the server sends
    /// its stop reply (`T05`) unasked. Returns whether it stopped.
    pub fn jump(&self, pc: u32) -> bool {
        self.when_running(|st| {
            st.regs[PC] = pc;
            let stops = st.stops_at(pc);
            if stops {
                st.running = false;
                st.send_async(b"T05thread:01;");
            }
            stops
        })
    }

    /// Like [`jump`](Self::jump), but the stop reply crosses the client's next interrupt on
    /// the wire: the client sees it as the answer to its interrupt. Until then the target
    /// counts as running.
    pub fn jump_as_the_client_interrupts(&self, pc: u32) {
        self.when_running(|st| {
            st.regs[PC] = pc;
            assert!(st.stops_at(pc));
            st.unannounced_stop = true;
        });
    }

    /// The running target exits with `code` (QEMU carrying out a semihosting exit): the
    /// server sends `W` and closes the connection.
    pub fn exit(&self, code: u8) {
        self.when_running(|st| {
            st.running = false;
            st.send_async(format!("W{code:02x}").as_bytes());
            if let Some(conn) = st.conn.take() {
                let _ = conn.shutdown(std::net::Shutdown::Both);
            }
        });
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
            // A stopped target ignores the interrupt, as QEMU's does.
            if st.running {
                st.running = false;
                st.stats.interrupts += 1;
                if std::mem::take(&mut st.unannounced_stop) {
                    send(&mut s, b"T05thread:01;");
                } else {
                    send(&mut s, b"T02thread:01;");
                }
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
    } else if text == "?" {
        b"S05".to_vec()
    } else if text == "s" {
        // One 16-bit instruction.
        st.regs[PC] += 2;
        st.stats.steps += 1;
        b"S05".to_vec()
    } else if text == "c" {
        st.stats.resumes += 1;
        // A breakpoint at the PC stops the target again at once, as in QEMU.
        if st.breakpoints.iter().any(|&(_, at, _)| at == st.regs[PC]) {
            return Some(b"T05thread:01;".to_vec());
        }
        st.running = true;
        st.run_firmware();
        st.run_logs();
        return None;
    } else if let Some(args) = text.strip_prefix(['Z', 'z']) {
        st.stats.breakpoint_packets.push(text.clone());
        let mut fields = args.split(',');
        let kind: u8 = fields.next().unwrap().parse().unwrap();
        let at = u32::from_str_radix(fields.next().unwrap(), 16).unwrap();
        let size = u8::from_str_radix(fields.next().unwrap(), 16).unwrap();
        if kind > 1 || (kind == 1 && st.refuse_hw) {
            return Some(Vec::new());
        }
        let bp = (kind, at, size);
        if text.starts_with('Z') {
            if !st.breakpoints.contains(&bp) {
                st.breakpoints.push(bp);
            }
            b"OK".to_vec()
        } else if let Some(k) = st.breakpoints.iter().position(|&b| b == bp) {
            st.breakpoints.remove(k);
            b"OK".to_vec()
        } else {
            // EINVAL: no such breakpoint.
            b"E16".to_vec()
        }
    } else if let Some(args) = text.strip_prefix('m') {
        let (addr, len) = args.split_once(',').unwrap();
        let addr = u64::from_str_radix(addr, 16).unwrap();
        let len = usize::from_str_radix(len, 16).unwrap();
        st.stats.reads += 1;
        match st.ram_range(addr, len) {
            Some(at) => to_hex(&st.ram[at..at + len]).into_bytes(),
            // The system control space reads as zeros but for VTOR; anything else is not
            // mapped.
            None if (0xE000_0000..0xE010_0000).contains(&addr) => {
                let vtor = st.vtor.to_le_bytes();
                let bytes: Vec<u8> = (addr..addr + len as u64)
                    .map(|a| match a.checked_sub(VTOR) {
                        Some(k @ 0..4) => vtor[k as usize],
                        _ => 0,
                    })
                    .collect();
                to_hex(&bytes).into_bytes()
            }
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
            None if (0xE000_0000..0xE010_0000).contains(&addr) => {
                // AIRCR with VECTKEY and SYSRESETREQ: the core resets, its PC from the table.
                if addr == AIRCR && len == 4 {
                    let aircr = u32::from_le_bytes(data[..4].try_into().unwrap());
                    if aircr >> 16 == 0x05FA && aircr & 0b100 != 0 {
                        st.stats.resets += 1;
                        let vtor = st.vtor;
                        st.regs[PC] = st.ram_word(vtor + 4).unwrap_or(0) & !1;
                    }
                }
                b"OK".to_vec()
            }
            None => b"E14".to_vec(),
        }
    } else if let Some(number) = text.strip_prefix('p') {
        let number = usize::from_str_radix(number, 16).unwrap();
        let value = st.regs.get(number).copied().unwrap_or(0);
        to_hex(&value.to_le_bytes()).into_bytes()
    } else if let Some(args) = text.strip_prefix('P') {
        let (number, value) = args.split_once('=').unwrap();
        let number = usize::from_str_radix(number, 16).unwrap();
        let value = from_hex(value.as_bytes()).unwrap();
        if let Some(reg) = st.regs.get_mut(number) {
            *reg = u32::from_le_bytes(value[..4].try_into().unwrap());
        }
        b"OK".to_vec()
    } else {
        Vec::new()
    })
}
