//! The UI's TypeScript bindings (`ui/src/bindings/`) must match the Rust types.
//! Regenerate with `UPDATE_BINDINGS=1 cargo test -p callboard-model --test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn ui_bindings_are_fresh() {
    // Read when the test runs, not baked in when it is built: a test binary reused from a
    // build in another checkout (CI clones share a target dir) must check this one.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo");
    let checked_in = PathBuf::from(manifest).join("../../../ui/src/bindings");
    let fresh = tempfile::tempdir().unwrap();
    callboard_model::export_bindings(fresh.path()).unwrap();
    let want = read_dir(fresh.path());
    assert!(
        want.contains_key("Call.ts"),
        "export wrote {:?}",
        want.keys()
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(&checked_in).unwrap();
        for old in read_dir(&checked_in).keys() {
            std::fs::remove_file(checked_in.join(old)).unwrap();
        }
        for (name, text) in &want {
            std::fs::write(checked_in.join(name), text).unwrap();
        }
        return;
    }
    let have = read_dir(&checked_in);
    assert_eq!(
        have.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "binding files differ; run UPDATE_BINDINGS=1 cargo test -p callboard-model --test bindings"
    );
    for (name, text) in &want {
        assert_eq!(
            &have[name], text,
            "{name} is stale; run UPDATE_BINDINGS=1 cargo test -p callboard-model --test bindings"
        );
    }
}
