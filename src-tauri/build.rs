fn main() {
    // The app package is the repository root, but its capabilities live in src-tauri/:
    // tauri-build's default (`./capabilities`) would find none, and the window would be
    // refused every core command, `event.listen` among them, so no live event ever arrived.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("tauri-build");
}
