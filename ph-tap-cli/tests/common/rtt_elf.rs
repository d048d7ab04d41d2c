//! A minimal ARM ELF32 image whose RAM holds a real SEGGER RTT control block, for probe-rs's
//! `FakeProbe` (which serves target memory reads from an ELF's loadable segments).

/// Base of the simulated RAM segment.
pub const RAM: u32 = 0x2000_0000;
/// The nRF52840's code-bus alias of the same RAM: probe-rs scans this range (the 0x2000_0000
/// view is marked as an alias), so the image maps the RAM at both addresses, like the chip.
pub const RAM_CODE_ALIAS: u32 = 0x0080_0000;
/// Where the control block sits (the `_SEGGER_RTT` symbol).
pub const CONTROL_BLOCK: u32 = RAM + 0x40;
/// Up channel 0's buffer.
pub const UP0_BUF: u32 = RAM + 0x200;
/// Up channel 0's buffer size.
pub const UP0_SIZE: u32 = 64;
const RAM_LEN: usize = 0x400;
const DATA_OFFSET: usize = 0x100;

/// What the RAM image holds.
pub struct Image {
    /// Write a control block at all (false: RAM without RTT).
    pub with_control_block: bool,
    /// Up channel 0's bytes as the target wrote them, placed so that they wrap around the end
    /// of the ring buffer (`RdOff` near the end, `WrOff` past the start).
    pub up0: Vec<u8>,
    /// Include the `_SEGGER_RTT` symbol.
    pub with_symbol: bool,
}

fn put32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put16(buf: &mut [u8], at: usize, v: u16) {
    buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// The RAM image alone ([`RAM`] onwards), as [`build`] puts it in the ELF file.
pub fn ram(image: &Image) -> Vec<u8> {
    let mut ram = vec![0u8; RAM_LEN];
    if !image.with_control_block {
        return ram;
    }
    let cb = (CONTROL_BLOCK - RAM) as usize;
    ram[cb..cb + 16].copy_from_slice(b"SEGGER RTT\0\0\0\0\0\0");
    put32(&mut ram, cb + 16, 2); // MaxNumUpBuffers
    put32(&mut ram, cb + 20, 1); // MaxNumDownBuffers
    // Channel names, as firmware-demo's: telemetry on up 0, defmt logs on up 1.
    let name = RAM + 0x300;
    ram[0x300..0x30C].copy_from_slice(b"ph-eventing\0");
    let defmt = RAM + 0x310;
    ram[0x310..0x316].copy_from_slice(b"defmt\0");
    let terminal = RAM + 0x318;
    ram[0x318..0x321].copy_from_slice(b"Terminal\0");
    // Up channel 0: the data wraps around the end of its buffer.
    let n = image.up0.len() as u32;
    assert!(n < UP0_SIZE, "test data must fit the RTT buffer");
    let rd = UP0_SIZE - n / 2;
    let wr = (rd + n) % UP0_SIZE;
    for (i, &b) in image.up0.iter().enumerate() {
        let at = (UP0_BUF - RAM + (rd + i as u32) % UP0_SIZE) as usize;
        ram[at] = b;
    }
    let up0 = cb + 24;
    for (k, v) in [name, UP0_BUF, UP0_SIZE, wr, rd, 0].into_iter().enumerate() {
        put32(&mut ram, up0 + 4 * k, v);
    }
    // Up channel 1: configured, empty.
    let up1 = up0 + 24;
    for (k, v) in [defmt, RAM + 0x280, 16, 0, 0, 0].into_iter().enumerate() {
        put32(&mut ram, up1 + 4 * k, v);
    }
    // Down channel 0.
    let down0 = up1 + 24;
    for (k, v) in [terminal, RAM + 0x2C0, 16, 0, 0, 0].into_iter().enumerate() {
        put32(&mut ram, down0 + 4 * k, v);
    }
    ram
}

/// The ELF file bytes.
pub fn build(image: &Image) -> Vec<u8> {
    let ram = ram(image);
    let shstrtab = b"\0.data\0.symtab\0.strtab\0.shstrtab\0";
    let strtab = b"\0_SEGGER_RTT\0";
    // Symbols: the null symbol, then _SEGGER_RTT (global object in section 1).
    let mut symtab = vec![0u8; 16];
    if image.with_symbol {
        let mut sym = vec![0u8; 16];
        put32(&mut sym, 0, 1); // st_name
        put32(&mut sym, 4, CONTROL_BLOCK); // st_value
        put32(&mut sym, 8, 24 + 3 * 24); // st_size
        sym[12] = (1 << 4) | 1; // STB_GLOBAL, STT_OBJECT
        put16(&mut sym, 14, 1); // st_shndx: .data
        symtab.extend_from_slice(&sym);
    }
    let mut file = vec![0u8; DATA_OFFSET];
    file.extend_from_slice(&ram);
    let symtab_off = file.len();
    file.extend_from_slice(&symtab);
    let strtab_off = file.len();
    file.extend_from_slice(strtab);
    let shstrtab_off = file.len();
    file.extend_from_slice(shstrtab);
    while !file.len().is_multiple_of(4) {
        file.push(0);
    }
    let shoff = file.len();
    // Section headers: null, .data, .symtab, .strtab, .shstrtab.
    let mut sh = |name: u32,
                  kind: u32,
                  flags: u32,
                  addr: u32,
                  off: usize,
                  size: usize,
                  link: u32,
                  info: u32,
                  entsize: u32| {
        let mut h = vec![0u8; 40];
        for (k, v) in [
            name,
            kind,
            flags,
            addr,
            off as u32,
            size as u32,
            link,
            info,
            4,
            entsize,
        ]
        .into_iter()
        .enumerate()
        {
            put32(&mut h, 4 * k, v);
        }
        file.extend_from_slice(&h);
    };
    sh(0, 0, 0, 0, 0, 0, 0, 0, 0);
    sh(1, 1, 0x3, RAM, DATA_OFFSET, ram.len(), 0, 0, 0); // PROGBITS, WA
    sh(7, 2, 0, 0, symtab_off, symtab.len(), 3, 1, 16); // SYMTAB, link .strtab
    sh(15, 3, 0, 0, strtab_off, strtab.len(), 0, 0, 0); // STRTAB
    sh(23, 3, 0, 0, shstrtab_off, shstrtab.len(), 0, 0, 0); // STRTAB
    // ELF header.
    file[0..4].copy_from_slice(b"\x7fELF");
    file[4] = 1; // ELFCLASS32
    file[5] = 1; // little endian
    file[6] = 1; // EV_CURRENT
    put16(&mut file, 16, 2); // ET_EXEC
    put16(&mut file, 18, 40); // EM_ARM
    put32(&mut file, 20, 1);
    put32(&mut file, 24, 0); // entry
    put32(&mut file, 28, 52); // phoff
    put32(&mut file, 32, shoff as u32);
    put32(&mut file, 36, 0x0500_0400); // EABI5, hard float
    put16(&mut file, 40, 52); // ehsize
    put16(&mut file, 42, 32); // phentsize
    put16(&mut file, 44, 2); // phnum
    put16(&mut file, 46, 40); // shentsize
    put16(&mut file, 48, 5); // shnum
    put16(&mut file, 50, 4); // shstrndx
    // Two program headers over the same bytes: RAM at its system-bus and code-bus addresses.
    for (ph, base) in [(52, RAM), (84, RAM_CODE_ALIAS)] {
        for (k, v) in [
            1,
            DATA_OFFSET as u32,
            base,
            base,
            ram.len() as u32,
            ram.len() as u32,
            6,
            4,
        ]
        .into_iter()
        .enumerate()
        {
            put32(&mut file, ph + 4 * k, v);
        }
    }
    file
}

/// An ELF file (deleted when dropped) with a control block at [`CONTROL_BLOCK`] and its
/// `_SEGGER_RTT` symbol, empty up channels: what `--elf` takes in the GDB-server tests.
pub fn elf_file() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let image = Image {
        with_control_block: true,
        up0: Vec::new(),
        with_symbol: true,
    };
    std::fs::write(file.path(), build(&image)).unwrap();
    file
}
