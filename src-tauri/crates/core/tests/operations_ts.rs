//! The UI's client description (`ui/src/lib/operations.generated.ts`), generated from the
//! operation table, must match it. Regenerate with
//! `UPDATE_BINDINGS=1 cargo test -p callboard-core --test operations_ts`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ts_rs::{Dependency, TS, TypeVisitor};

/// What the generator needs of one argument or answer type.
struct TsType {
    /// As TypeScript writes it; 64-bit integers are plain numbers in the JSON.
    name: String,
    /// The bindings it names, to import.
    imports: BTreeSet<String>,
}

fn ts_type<T: TS + 'static>() -> TsType {
    struct Imports<'a>(&'a mut BTreeSet<String>);
    impl TypeVisitor for Imports<'_> {
        fn visit<U: TS + 'static + ?Sized>(&mut self) {
            if let Some(d) = Dependency::from_ty::<U>() {
                self.0.insert(d.ts_name);
            }
        }
    }
    let mut imports = BTreeSet::new();
    Imports(&mut imports).visit::<T>();
    T::visit_generics(&mut Imports(&mut imports));
    TsType {
        name: T::name().replace("bigint", "number"),
        imports,
    }
}

struct Arg {
    name: &'static str,
    place: &'static str,
    ty: TsType,
}

struct Op {
    name: &'static str,
    doc: Vec<&'static str>,
    method: &'static str,
    path: &'static str,
    args: Vec<Arg>,
    returns: TsType,
}

macro_rules! describe_operations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident : $method:ident $path:literal
            $(path($p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* $(,)?))?
            $(query($q:ident : $qt:ty))?
            $(body($b:ident : $bt:ty))?
            -> $ret:ty
            => |$s:ident| $call:expr;
    )*) => {
        vec![$(Op {
            name: stringify!($name),
            doc: vec![$($doc),*],
            method: stringify!($method),
            path: $path,
            args: vec![
                $(
                    Arg { name: stringify!($p0), place: "path", ty: ts_type::<$pt0>() },
                    $(Arg { name: stringify!($p), place: "path", ty: ts_type::<$pt>() },)*
                )?
                $(Arg { name: stringify!($q), place: "query", ty: ts_type::<$qt>() },)?
                $(Arg { name: stringify!($b), place: "body", ty: ts_type::<$bt>() },)?
            ],
            returns: ts_type::<$ret>(),
        }),*]
    };
}

/// `snake_case` as `camelCase`, as Tauri names command arguments and the UI its methods.
fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in s.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn doc_comment(lines: &[&str], indent: &str) -> String {
    let text: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
    match text.as_slice() {
        [] => String::new(),
        [one] => format!("{indent}/** {one} */\n"),
        many => {
            let mut out = format!("{indent}/**\n");
            for l in many {
                out.push_str(&format!("{indent} * {l}\n"));
            }
            out.push_str(&format!("{indent} */\n"));
            out
        }
    }
}

fn generate(ops: &[Op]) -> String {
    let mut imports = BTreeSet::new();
    for op in ops {
        imports.extend(op.returns.imports.iter().cloned());
        for a in &op.args {
            imports.extend(a.ty.imports.iter().cloned());
        }
    }
    let mut out = String::from(
        "// Generated from the operation table (`with_operations!` in\n\
         // src-tauri/crates/core/src/operations.rs); do not edit. Regenerate with\n\
         // `UPDATE_BINDINGS=1 cargo test -p callboard-core --test operations_ts`.\n",
    );
    for name in &imports {
        out.push_str(&format!(
            "import type {{ {name} }} from \"../bindings/{name}\";\n"
        ));
    }
    out.push_str(
        "\n/** Where an HTTP request carries an argument. */\n\
         export type ArgPlace = \"path\" | \"query\" | \"body\";\n\
         \n\
         /** How both transports carry one operation. */\n\
         export interface OperationSpec {\n\
         \x20 /** The Tauri command. */\n\
         \x20 readonly command: string;\n\
         \x20 readonly method: \"GET\" | \"POST\" | \"PUT\" | \"PATCH\" | \"DELETE\";\n\
         \x20 /** Under `/api`; `{name}` is the path argument `name`. */\n\
         \x20 readonly path: string;\n\
         \x20 /** In call order: the name (Tauri's argument key) and where HTTP carries it. */\n\
         \x20 readonly args: readonly { readonly name: string; readonly in: ArgPlace }[];\n\
         }\n\
         \n\
         /** The request/response operations, by their method names in the UI. */\n\
         export interface Operations {\n",
    );
    for op in ops {
        out.push_str(&doc_comment(&op.doc, "  "));
        let params: Vec<String> = op
            .args
            .iter()
            .map(|a| format!("{}: {}", camel(a.name), a.ty.name))
            .collect();
        out.push_str(&format!(
            "  {}({}): Promise<{}>;\n",
            camel(op.name),
            params.join(", "),
            op.returns.name
        ));
    }
    out.push_str(
        "}\n\n/** Each operation's command, route and arguments. */\n\
         export const OPERATIONS: { readonly [K in keyof Operations]: OperationSpec } = {\n",
    );
    for op in ops {
        let mut path = op.path.to_string();
        for a in op.args.iter().filter(|a| a.place == "path") {
            let braced = format!("{{{}}}", a.name);
            assert!(
                path.contains(&braced),
                "{}: {braced} not in {path}",
                op.name
            );
            path = path.replace(&braced, &format!("{{{}}}", camel(a.name)));
        }
        let args: Vec<String> = op
            .args
            .iter()
            .map(|a| format!("{{ name: \"{}\", in: \"{}\" }}", camel(a.name), a.place))
            .collect();
        out.push_str(&format!(
            "  {}: {{ command: \"{}\", method: \"{}\", path: \"{path}\", args: [{}] }},\n",
            camel(op.name),
            op.name,
            op.method.to_uppercase(),
            args.join(", ")
        ));
    }
    out.push_str("};\n");
    out
}

#[test]
fn the_ui_client_description_is_fresh() {
    let ops: Vec<Op> = callboard_core::with_operations!(describe_operations);
    for op in &ops {
        assert!(
            op.args.iter().filter(|a| a.place == "query").count() <= 1
                && op.args.iter().filter(|a| a.place == "body").count() <= 1,
            "{}: one query struct and one body at most",
            op.name
        );
    }
    let want = generate(&ops);
    assert!(want.contains("syncNow(account: string): Promise<AccountStatus>;"));
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../ui/src/lib/operations.generated.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&file, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale; run UPDATE_BINDINGS=1 cargo test -p callboard-core --test operations_ts",
        file.display()
    );
}
