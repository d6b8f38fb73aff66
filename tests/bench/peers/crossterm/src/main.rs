// crossterm as a peer of tests/bench/program_latency: read on the caller's thread
// (crossterm::event::read, a mio poll on the terminal inside), one line per event.
//
// Protocol (tests/bench/peers/peer.hpp): raw mode on the controlling terminal, "ready" once
// set up, then "ev <event>" per event; exits on 'q' or at the end of input.
use crossterm::event::{read, Event, KeyCode};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode};
use std::io::Write;

fn main() {
    if let Err(e) = enable_raw_mode() {
        eprintln!("peer_crossterm: raw mode: {e}");
        std::process::exit(1);
    }
    let mut out = std::io::stdout().lock();
    // Raw mode: no output processing, so each line ends in CR LF itself.
    let _ = write!(out, "ready\r\n");
    let _ = out.flush();
    loop {
        match read() {
            Ok(Event::Key(k)) => {
                if k.code == KeyCode::Char('q') && k.modifiers.is_empty() {
                    break;
                }
                let _ = write!(out, "ev key {:?} {:?}\r\n", k.code, k.modifiers);
            }
            Ok(Event::Mouse(m)) => {
                let _ = write!(out, "ev mouse {:?} {} {}\r\n", m.kind, m.column, m.row);
            }
            Ok(other) => {
                let _ = write!(out, "ev other {other:?}\r\n");
            }
            Err(_) => break,
        }
        let _ = out.flush();
    }
    let _ = disable_raw_mode();
}
