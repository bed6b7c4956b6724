use std::path::{Path as FsPath, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Where content files come from: each file is a path relative to the
/// content root (`systems-engineering/path.toml`) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// Prefix used when naming files in problems, e.g. `content`.
    pub root: String,
    pub files: Vec<(String, String)>,
}

impl Source {
    /// The `content/` folder embedded in the binary.
    pub fn embedded() -> Source {
        Source {
            root: "content".to_string(),
            files: embedded::FILES
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        }
    }

    /// Every `.md` and `.toml` file under `dir`, in path order.
    pub fn dir(dir: &FsPath) -> std::io::Result<Source> {
        let mut files = Vec::new();
        walk(dir, dir, &mut files)?;
        files.sort();
        Ok(Source {
            root: dir.display().to_string().trim_end_matches('/').to_string(),
            files,
        })
    }

    pub fn display(&self, rel: &str) -> String {
        format!("{}/{}", self.root, rel)
    }
}

fn walk(root: &FsPath, dir: &FsPath, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("md" | "toml")
        ) {
            let rel = path
                .strip_prefix(root)
                .expect("walked path is under root")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            out.push((rel, text));
        }
    }
    Ok(())
}
