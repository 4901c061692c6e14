//! Errors, split by who has to act: the user (bad input, exit 2) or us (a bug, exit 1).

use std::fmt;

/// Something wrong with what the user gave us. Rendered as one line that names the file, the
/// place in it where that helps, what is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: Option<String>,
    pub position: Option<Position>,
    pub column: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

/// Where in a file a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// 1-based line of a text file.
    Line(u64),
    /// 1-based item of a JSON array.
    Item(u64),
}

impl InputError {
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            path: None,
            position: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn in_file(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError::new(message).path(path)
    }

    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn line(mut self, line: u64) -> Self {
        self.position = Some(Position::Line(line));
        self
    }

    pub fn item(mut self, item: u64) -> Self {
        self.position = Some(Position::Item(item));
        self
    }

    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            match self.position {
                Some(Position::Line(line)) => write!(f, "{path}:{line}: ")?,
                Some(Position::Item(item)) => write!(f, "{path}: item {item}: ")?,
                None => write!(f, "{path}: ")?,
            }
        }
        if let Some(column) = &self.column {
            write!(f, "column '{column}': ")?;
        }
        write!(f, "{}", one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, " — {}", one_line(hint))?;
        }
        Ok(())
    }
}

impl InputError {
    /// The error as said about a file already named: `line 12: …`, without the path.
    pub fn within_file(&self) -> String {
        let mut plain = self.clone();
        plain.path = None;
        let at = match self.position {
            Some(Position::Line(line)) => format!("line {line}: "),
            Some(Position::Item(item)) => format!("item {item}: "),
            None => String::new(),
        };
        format!("{at}{plain}")
    }
}

impl std::error::Error for InputError {}

/// Keep error messages on one line even when they quote a value with a line break in it.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// Every failure the pipeline can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input (files, arguments) is unusable: exit code 2.
    #[error("{0}")]
    Input(#[from] InputError),
    /// Writing an output failed (permissions, disk full): exit code 2, the user can fix it.
    #[error("cannot write {path}: {source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
    /// A bug or an unexpected failure inside the tool: exit code 1.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::Output { .. } => 2,
            Error::Internal(_) => 1,
        }
    }
}

impl From<polars::error::PolarsError> for Error {
    fn from(e: polars::error::PolarsError) -> Self {
        Error::Internal(format!("data frame operation failed: {e}"))
    }
}

impl From<minijinja::Error> for Error {
    fn from(e: minijinja::Error) -> Self {
        Error::Internal(format!("report template failed: {e:#}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
