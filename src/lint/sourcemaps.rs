//! Production source maps: they publish the original source (comments, internal routes,
//! sometimes inlined env values) next to the minified bundle. Checked in build configs
//! (vite `build.sourcemap`, next `productionBrowserSourceMaps`, webpack `devtool` in a
//! production config) and as `.map` files inside scanned build output.

use std::sync::OnceLock;

use regex::Regex;

use super::util::re;
use super::{FileCtx, Hit, Meta};
use crate::rules::Severity;

pub const CONFIG: &str = "production-source-maps";
pub const BUILD_OUTPUT: &str = "source-maps-in-build-output";

pub const RULES: &[Meta] = &[
    Meta {
        id: CONFIG,
        name: "Source maps published in production builds",
        description: "The build config emits browser source maps for production, publishing the original source code (comments, internal endpoints, feature flags) to every visitor.",
        severity: Severity::Low,
        remediation: "Turn public production source maps off (`build.sourcemap: false`, remove `productionBrowserSourceMaps`, `devtool: false`), or use `hidden` maps uploaded to your error tracker and not deployed.",
        references: &[
            "https://vite.dev/config/build-options#build-sourcemap",
            "https://nextjs.org/docs/app/api-reference/config/next-config-js/productionBrowserSourceMaps",
        ],
        examples: &[
            ("vite.config.ts", "export default defineConfig({\n  build: { sourcemap: true },\n});\n"),
            ("next.config.mjs", "const nextConfig = { productionBrowserSourceMaps: true };\n"),
            ("webpack.prod.js", "module.exports = { mode: 'production', devtool: 'source-map' };\n"),
        ],
        negative_examples: &[
            ("vite.config.ts", "export default defineConfig({ build: { sourcemap: 'hidden' }, css: { devSourcemap: true } });\n"),
            ("webpack.dev.js", "module.exports = { mode: 'development', devtool: 'eval-source-map' };\n"),
            ("webpack.config.js", "module.exports = { mode: 'production', devtool: 'hidden-source-map' };\n"),
            ("next.config.js", "module.exports = { productionBrowserSourceMaps: false };\n"),
            ("next.config.js", "module.exports = {\n  // productionBrowserSourceMaps: true,\n};\n"),
        ],
    },
    Meta {
        id: BUILD_OUTPUT,
        name: "Source maps in build output",
        description: "A build-output folder (`dist/`, `build/`, `out/`, `.next/static`) holds `.map` files; deployed as is, they publish the original source.",
        severity: Severity::Low,
        remediation: "Do not deploy `.map` files: turn source maps off for production, or generate hidden maps, upload them to your error tracker and delete them before deploying.",
        references: &["https://developer.mozilla.org/en-US/docs/Glossary/Source_map"],
        examples: &[("dist/assets/index-4f3a.js.map", "{\"version\":3,\"sources\":[]}")],
        negative_examples: &[
            ("src/index.js.map", "{\"version\":3}"),
            ("node_modules/lib/dist/index.js.map", "{\"version\":3}"),
        ],
    },
];

/// The build-output folder a path lies in (`dist/`, `web/build/`, `.next/static/`), if any.
pub fn build_dir(path: &str) -> Option<&str> {
    if path.contains("node_modules/") || path.starts_with("node_modules") {
        return None;
    }
    let mut at = 0;
    let segs: Vec<&str> = path.split('/').collect();
    for (i, s) in segs.iter().enumerate().take(segs.len().saturating_sub(1)) {
        at += s.len() + 1;
        let next_is_static = segs.get(i + 1) == Some(&"static");
        if matches!(*s, "dist" | "build" | "out") || (*s == ".next" && next_is_static) {
            let end = if *s == ".next" {
                at + "static/".len()
            } else {
                at
            };
            return Some(&path[..end.min(path.len())]);
        }
    }
    None
}

/// A `.map` file inside a build-output folder.
pub fn in_build_output(path: &str) -> bool {
    path.ends_with(".map") && build_dir(path).is_some()
}

/// Whether build folder `dir` belongs to a published library rather than an app: the nearest
/// `package.json` above it (on disk) names a package that is not `"private": true`. Apps
/// (Vite, Next.js, Create React App, Nuxt, Gatsby templates) are private; packages on npm
/// cannot be, and their `dist/*.map` files ship to developers, not to every site visitor.
/// Without a readable `package.json` the folder counts as an app's.
fn is_library_output(dir: &str) -> bool {
    let mut cur = std::path::Path::new(dir.trim_end_matches('/')).parent();
    while let Some(d) = cur {
        let manifest = if d.as_os_str().is_empty() {
            std::path::PathBuf::from("package.json")
        } else {
            d.join("package.json")
        };
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
                return false;
            };
            let private = v.get("private").and_then(|p| p.as_bool()) == Some(true);
            return !private && v.get("name").is_some();
        }
        cur = d.parent();
    }
    false
}

/// One finding per build folder of an app (not a published library), on its first map file
/// (paths sorted).
pub fn build_output_maps(maps: &[String]) -> Vec<(String, String, Hit)> {
    let mut by_dir: Vec<(&str, &String, usize)> = Vec::new();
    let mut library: std::collections::HashMap<&str, bool> = Default::default();
    for m in maps {
        let Some(d) = build_dir(m) else { continue };
        if *library.entry(d).or_insert_with(|| is_library_output(d)) {
            continue;
        }
        match by_dir.iter_mut().find(|(x, _, _)| *x == d) {
            Some(e) => e.2 += 1,
            None => by_dir.push((d, m, 1)),
        }
    }
    by_dir
        .into_iter()
        .map(|(d, first, n)| {
            (
                first.clone(),
                String::new(),
                Hit::new(
                    BUILD_OUTPUT,
                    0,
                    0,
                    format!(
                        "{n} source map{} in build output `{d}`",
                        if n == 1 { "" } else { "s" }
                    ),
                ),
            )
        })
        .collect()
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    let name = ctx.name;
    let code = matches!(ctx.ext(), "js" | "mjs" | "cjs" | "ts" | "mts" | "cts");
    if !code || ctx.is_test() {
        return;
    }
    let Some(text) = ctx.text() else {
        return;
    };
    if name.starts_with("vite.config.") || name.starts_with("vitest.config.") {
        static V: OnceLock<Regex> = OnceLock::new();
        let v = re(&V, r#"\bsourcemap\s*:\s*(true\b|["']inline["'])"#);
        for m in v.find_iter(text) {
            if super::util::in_comment(text, m.start()) {
                continue;
            }
            out.push(Hit::new(
                CONFIG,
                m.start(),
                m.end(),
                "vite emits public source maps for production builds",
            ));
        }
    } else if name.starts_with("next.config.") {
        static N: OnceLock<Regex> = OnceLock::new();
        let n = re(&N, r"\bproductionBrowserSourceMaps\s*:\s*true\b");
        for m in n.find_iter(text) {
            if super::util::in_comment(text, m.start()) {
                continue;
            }
            out.push(Hit::new(
                CONFIG,
                m.start(),
                m.end(),
                "Next.js publishes browser source maps in production",
            ));
        }
    } else if name.contains("webpack") {
        let production = name.contains("prod")
            || text.contains("mode: 'production'")
            || text.contains("mode: \"production\"");
        if !production {
            return;
        }
        static W: OnceLock<Regex> = OnceLock::new();
        let w = re(&W, r#"\bdevtool\s*:\s*["']([a-z-]*source-map)["']"#);
        for c in w.captures_iter(text) {
            let v = c.get(1).expect("group").as_str();
            if v.starts_with("hidden-")
                || v.contains("nosources")
                || super::util::in_comment(text, c.get(0).expect("match").start())
            {
                continue;
            }
            let m = c.get(0).expect("match");
            out.push(Hit::new(
                CONFIG,
                m.start(),
                m.end(),
                format!("webpack production build uses `devtool: '{v}'`"),
            ));
        }
    }
}

#[cfg(test)]
mod library_tests {
    #[test]
    fn maps_in_a_published_librarys_dist_are_not_an_apps_build_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let lib = root.join("vendor/some-lib");
        let app = root.join("web");
        for (d, manifest) in [
            (&lib, r#"{"name": "some-lib", "version": "1.0.0"}"#),
            (&app, r#"{"name": "web", "private": true}"#),
        ] {
            std::fs::create_dir_all(d.join("dist")).unwrap();
            std::fs::write(d.join("package.json"), manifest).unwrap();
        }
        let lib_map = format!("{}/dist/index.js.map", lib.display());
        let app_map = format!("{}/dist/assets/index.js.map", app.display());
        let bare_map = format!("{}/out/site.js.map", root.join("static-site").display());
        let found: Vec<String> =
            super::build_output_maps(&[app_map.clone(), bare_map.clone(), lib_map])
                .into_iter()
                .map(|(path, _, _)| path)
                .collect();
        assert_eq!(found, vec![app_map, bare_map]);
    }
}
