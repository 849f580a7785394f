//! YAML with positions, for the workflow checks.
//!
//! `serde_yaml_ng` (used for the config and rule files) gives no line or column. This builds
//! a small tree from `yaml-rust2`'s marked event stream instead: every scalar, mapping and
//! sequence keeps the 1-based line and column where it starts. Anchors and aliases are
//! resolved (bounded, so an alias bomb is an error, not an out-of-memory), several documents
//! in one file are kept, and nesting deeper than [`MAX_DEPTH`] is an error. Nothing here
//! panics on bad input: every problem is an `Err` with a position.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting accepted (workflows need about 8).
pub const MAX_DEPTH: usize = 128;
/// Most nodes built, counting alias copies.
pub const MAX_NODES: usize = 500_000;

/// Where a node starts: 1-based line and 1-based column (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone)]
pub enum Node {
    /// A scalar; `pos` is its first character (inside the quotes for quoted scalars; the
    /// `|`/`>` indicator for block scalars).
    Scalar {
        value: String,
        style: TScalarStyle,
        pos: Pos,
    },
    Map(Vec<(Node, Node)>, Pos),
    Seq(Vec<Node>, Pos),
}

impl Node {
    pub fn pos(&self) -> Pos {
        match self {
            Node::Scalar { pos, .. } | Node::Map(_, pos) | Node::Seq(_, pos) => *pos,
        }
    }

    /// The scalar's text (`None` for mappings and sequences).
    pub fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A block scalar (`|` or `>`) whose lines start below `pos`.
    pub fn is_block(&self) -> bool {
        matches!(
            self,
            Node::Scalar {
                style: TScalarStyle::Literal | TScalarStyle::Folded,
                ..
            }
        )
    }

    /// Value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Key node and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .find(|(k, _)| k.str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map(e, _) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq(s, _) => s,
            _ => &[],
        }
    }
}

/// A parse error with the position it was found at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid YAML at line {}, column {}: {}",
            self.pos.line, self.pos.col, self.message
        )
    }
}

enum Frame {
    Map(Vec<(Node, Node)>, Pos, Option<Node>, usize),
    Seq(Vec<Node>, Pos, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: std::collections::HashMap<usize, Node>,
    nodes: usize,
    error: Option<YamlError>,
}

fn pos_of(m: &Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        col: m.col() as u32 + 1,
    }
}

fn count(n: &Node) -> usize {
    match n {
        Node::Scalar { .. } => 1,
        Node::Map(e, _) => 1 + e.iter().map(|(k, v)| count(k) + count(v)).sum::<usize>(),
        Node::Seq(s, _) => 1 + s.iter().map(count).sum::<usize>(),
    }
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: &str) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                pos,
                message: message.to_string(),
            });
        }
    }

    /// A finished node goes into its parent (or becomes a document).
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, _, key, _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = pos_of(&mark);
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return self.fail(pos, "document too large");
        }
        match ev {
            Event::Scalar(value, style, anchor, _) => {
                let pos = match style {
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => Pos {
                        line: pos.line,
                        col: pos.col + 1,
                    },
                    _ => pos,
                };
                self.push(Node::Scalar { value, style, pos }, anchor);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(pos, "nested too deeply");
                }
                if matches!(ev, Event::MappingStart(..)) {
                    self.stack.push(Frame::Map(Vec::new(), pos, None, anchor));
                } else {
                    self.stack.push(Frame::Seq(Vec::new(), pos, anchor));
                }
            }
            Event::MappingEnd | Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Map(entries, p, _, anchor)) => self.push(Node::Map(entries, p), anchor),
                Some(Frame::Seq(items, p, anchor)) => self.push(Node::Seq(items, p), anchor),
                None => self.fail(pos, "unbalanced collection end"),
            },
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => {
                    self.nodes += count(&node);
                    if self.nodes > MAX_NODES {
                        return self.fail(pos, "aliases expand to too many nodes");
                    }
                    self.push(node, 0);
                }
                None => self.fail(pos, "alias to an unknown anchor"),
            },
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
    }
}

/// Parse every document in `text`.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // The event stream is read in a loop here rather than with `Parser::load`: `load` recurses
    // once per nesting level (a line of 6,000 `- ` overflowed the stack and aborted), and it
    // asserts on events it does not expect. The builder keeps its own stack and stops at
    // MAX_DEPTH, so reading stops there too.
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError {
            pos: pos_of(e.marker()),
            message: e.info().to_string(),
        })?;
        let end = ev == Event::StreamEnd;
        b.on_event(ev, mark);
        if let Some(e) = b.error {
            return Err(e);
        }
        if end {
            break;
        }
    }
    if !b.stack.is_empty() {
        return Err(YamlError {
            pos: Pos::default(),
            message: "unexpected end of input".to_string(),
        });
    }
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_point_at_values() {
        let d = parse("on: push\njobs:\n  build:\n    env:\n      A: 'x'\n      B: y\n").unwrap();
        let env = d[0]
            .get("jobs")
            .unwrap()
            .get("build")
            .unwrap()
            .get("env")
            .unwrap();
        assert_eq!(env.get("A").unwrap().pos(), Pos { line: 5, col: 11 });
        assert_eq!(env.get("B").unwrap().pos(), Pos { line: 6, col: 10 });
        let (k, _) = env.entry("B").unwrap();
        assert_eq!(k.pos(), Pos { line: 6, col: 7 });
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "a: [1, 2",
            "a: *nope",
            "\t- x\n  y: : :",
            "key: 'unterminated",
            &"[".repeat(10_000),
            "a: &x [1]\nb: *x\n---\nc: 1\n---\n- *x",
        ] {
            let _ = parse(bad);
        }
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
        assert!(parse(bomb).is_err());
        assert!(parse(&"[".repeat(10_000)).is_err());
        // Deep block nesting: an error, not a stack overflow.
        let deep = format!("steps:\n  {}x\n", "- ".repeat(6_000));
        assert!(parse(&deep).is_err());
        let mut deep = String::new();
        for i in 0..2_400 {
            deep.push_str(&" ".repeat(i));
            deep.push_str("a:\n");
        }
        assert!(parse(&deep).is_err());
        let docs = parse("a: &x 1\nb: *x\n---\nc: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].get("b").unwrap().str(), Some("1"));
    }
}
