//! `--tui` where there is no terminal: one line saying so and what to do, before anything is
//! read.

use assert_cmd::Command;

fn ph_tap() -> Command {
    Command::cargo_bin("ph-tap").unwrap()
}

const NEEDS_A_TERMINAL: &str = "error: --tui needs a terminal: stdout is a pipe or a file, use --format json to pipe (or run in a terminal)\n";

#[test]
fn tui_on_a_pipe_is_one_line_saying_what_to_do() {
    for args in [
        &["decode", "tests/data/clean.bin", "--tui"][..],
        &["demo", "--tui"][..],
        &["attach", "--tcp", "127.0.0.1:9", "--tui"][..],
    ] {
        let out = ph_tap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            NEEDS_A_TERMINAL,
            "{args:?}"
        );
    }
}

#[test]
fn tui_is_not_a_format_to_combine_with_another() {
    let out = ph_tap()
        .args(["demo", "--tui", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be used with"), "{err}");
    let out = ph_tap().args(["demo", "--tui-exit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--tui-exit needs --tui");
}
