//! Failure injection (issue 10, "Nothing left behind"): interrupts at random
//! points of a pack write, a full disk, a failed write into new folders.
//! Whatever happens, there is no half-written pack, no temporary sibling,
//! and an existing pack survives a failed `--force`.

use std::path::Path;
use std::time::Duration;

use fairaudit::pack::{self, WriteOptions};

use crate::harness::Dir;

/// A spec over a synthetic file large enough that a run takes a little
/// while (so that a signal can land in any phase of it).
fn setup(d: &Dir, rows: &str) -> std::path::PathBuf {
    let data = d.path().join("s.csv");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"))
        .args(["synth", "--rows", rows, "--seed", "4", "--out"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    d.write(
        "audit.toml",
        r#"
seed = 3
intersections = [["ethnicity", "sex", "age_band"]]
[input]
path = "s.csv"
[truth]
column = "y_true"
positive = [1]
[prediction]
column = "y_pred"
positive = [1]
[[attributes]]
column = "ethnicity"
[[attributes]]
column = "sex"
[[attributes]]
column = "age_band"
[uncertainty]
replicates = 300
"#,
    )
}

/// Hidden temporary siblings left in `dir`.
fn debris(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn verify_identical(pack: &Path) -> bool {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"))
        .args(["verify", "--quiet"])
        .arg(pack)
        .output()
        .unwrap();
    out.status.code() == Some(0)
}

#[cfg(unix)]
#[test]
fn issue_10_interrupts_leave_a_whole_pack_or_none_and_no_debris() {
    let d = Dir::new();
    let spec = setup(&d, "60000");
    let pack = d.path().join("pack");
    // How long a whole run takes here, to spread the signals over it.
    let t0 = std::time::Instant::now();
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"))
        .args(["run", "--quiet"])
        .arg(&spec)
        .arg("--out")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(status.status.code().is_some_and(|c| c != 2));
    let whole = t0.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&pack).unwrap();
    // A deterministic spread of delays over the run, for both signals, with
    // and without an existing pack to replace.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..24 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = whole * (state % 1000) as f64 / 1000.0 * 1.1;
        let signal = if round % 2 == 0 {
            libc::SIGINT
        } else {
            libc::SIGTERM
        };
        let force = round % 3 == 0;
        if force && !pack.exists() {
            let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"))
                .args(["run", "--quiet"])
                .arg(&spec)
                .arg("--out")
                .arg(&pack)
                .output()
                .unwrap();
            assert!(out.status.code().is_some_and(|c| c != 2));
        }
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"));
        cmd.args(["run", "--quiet"])
            .arg(&spec)
            .arg("--out")
            .arg(&pack)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if force {
            cmd.arg("--force");
        }
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(at));
        // SAFETY: signalling our own child.
        unsafe {
            libc::kill(child.id() as i32, signal);
        }
        let _ = child.wait();
        let left = debris(d.path());
        assert!(left.is_empty(), "round {round} at {at:.3}s: left {left:?}");
        if force {
            // The old pack or the new one, whole.
            assert!(pack.exists(), "round {round}: --force lost the pack");
        }
        if pack.exists() {
            assert!(verify_identical(&pack), "round {round}: a damaged pack");
            if !force {
                std::fs::remove_dir_all(&pack).unwrap();
            }
        }
    }
}

#[test]
fn issue_10_a_failed_write_removes_the_folders_it_made() {
    let d = Dir::new();
    let spec = setup(&d, "2000");
    let nested = d.path().join("a/b/pack");
    let raw = fairaudit::AuditSpec::from_file(&spec).unwrap();
    let plan = pack::relocate(&raw, d.path(), &nested).unwrap();
    let results = fairaudit::audit(&plan, &fairaudit::RunOptions::default()).unwrap();
    for at in 0..7 {
        let options = WriteOptions {
            fail_at_file: Some(at),
            ..WriteOptions::default()
        };
        assert!(pack::write(&nested, &plan, &results, &options).is_err());
        assert!(!d.path().join("a").exists(), "file {at}: `a` left behind");
    }
    assert_eq!(debris(d.path()), Vec::<String>::new());
}

#[test]
fn issue_10_stale_temporaries_of_killed_runs_are_cleared() {
    let d = Dir::new();
    let spec = setup(&d, "2000");
    let pack = d.path().join("pack");
    // What a run killed outright would leave: a temporary folder, and a
    // pack moved aside by --force with nothing put in its place. PID 1 is
    // not ours; a PID far above the system's limit is not running.
    let dead = 4_000_000_000u32;
    std::fs::create_dir(d.path().join(format!(".pack.tmp-{dead}"))).unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"))
        .args(["run", "--quiet"])
        .arg(&spec)
        .arg("--out")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c != 2));
    assert_eq!(debris(d.path()), Vec::<String>::new());
    // A pack moved aside and never replaced comes back.
    std::fs::rename(&pack, d.path().join(format!(".pack.old-{dead}"))).unwrap();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("fairaudit"))
        .args(["run", "--quiet"])
        .arg(&spec)
        .arg("--out")
        .arg(&pack)
        .output()
        .unwrap();
    // The recovered pack is there, so this run refuses to overwrite it.
    assert_eq!(out.status.code(), Some(2));
    assert!(pack.exists() && verify_identical(&pack));
    assert_eq!(debris(d.path()), Vec::<String>::new());
}

/// A full disk: a small tmpfs, where the machine allows mounting one (root
/// in a container usually does); else the test says it skipped.
#[cfg(target_os = "linux")]
#[test]
fn issue_10_a_full_disk_leaves_nothing() {
    let d = Dir::new();
    let spec = setup(&d, "5000");
    let full = d.path().join("full");
    std::fs::create_dir(&full).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=12k", "tmpfs"])
        .arg(&full)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (not root, or not allowed)");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("fairaudit");
    let pack = full.join("pack");
    let run = std::process::Command::new(&bin)
        .args(["run", "--quiet"])
        .arg(&spec)
        .arg("--out")
        .arg(&pack)
        .output()
        .unwrap();
    let counts = std::process::Command::new(&bin)
        .arg("counts")
        .arg(&spec)
        .arg("--out")
        .arg(full.join("t.counts.csv"))
        .output()
        .unwrap();
    let synth = std::process::Command::new(&bin)
        .args(["synth", "--rows", "100000", "--seed", "1", "--out"])
        .arg(full.join("big.csv"))
        .output()
        .unwrap();
    let left: Vec<String> = std::fs::read_dir(&full)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let _ = std::process::Command::new("umount").arg(&full).status();
    for (what, out) in [("run", run), ("counts", counts), ("synth", synth)] {
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("could not write"), "{what}: {err}");
    }
    assert!(left.is_empty(), "left on the full disk: {left:?}");
}
