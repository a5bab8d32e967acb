//! The expression language of equation systems: tokens, syntax tree and
//! float evaluation (`sc_neurocore.studio._analysis.expressions`; the rules
//! are in its docstring). Parse errors are `Err(String)`; evaluation
//! failures (a non-finite intermediate value, a division by zero) are
//! `Err(EvalError)`.

use std::fmt;

/// `pi` as a double.
pub const PI: f64 = std::f64::consts::PI;

/// Functions and their argument counts (`None`: two or more).
pub const FUNCTIONS: [(&str, Option<usize>); 12] = [
    ("exp", Some(1)),
    ("log", Some(1)),
    ("sqrt", Some(1)),
    ("abs", Some(1)),
    ("sin", Some(1)),
    ("cos", Some(1)),
    ("tanh", Some(1)),
    ("cosh", Some(1)),
    ("sinh", Some(1)),
    ("min", None),
    ("max", None),
    ("clip", Some(3)),
];
const KEYWORDS: [&str; 3] = ["and", "or", "not"];
const COMPARISONS: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];

/// A syntax-tree node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A number literal.
    Num(f64),
    /// A name.
    Var(String),
    /// `-arg`.
    Neg(Box<Node>),
    /// `left op right`, `op` one of `+ - * / **`.
    Bin(char, Box<Node>, Box<Node>),
    /// `func(args...)`.
    Call(String, Vec<Node>),
    /// A comparison (a condition).
    Cmp(&'static str, Box<Node>, Box<Node>),
    /// `not arg`.
    Not(Box<Node>),
    /// `left and right` (`true`) / `left or right` (`false`).
    BoolOp(bool, Box<Node>, Box<Node>),
}

impl Node {
    /// Whether the node is a condition (a comparison, `not`, `and`, `or`).
    pub fn is_condition(&self) -> bool {
        matches!(self, Node::Cmp(..) | Node::Not(_) | Node::BoolOp(..))
    }
}

/// An evaluation that left the finite doubles.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(String),
    Name(String),
    Op(&'static str),
    End,
}

const OPS: [&str; 14] = [
    "**", "<=", ">=", "==", "!=", "+", "-", "*", "/", "(", ")", ",", "<", ">",
];

fn digits(c: &[char], mut j: usize) -> usize {
    while j < c.len() && c[j].is_ascii_digit() {
        j += 1;
    }
    j
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == ' ' || ch == '\t' {
            i += 1;
        } else if ch.is_ascii_digit() || (ch == '.' && i + 1 < c.len() && c[i + 1].is_ascii_digit())
        {
            let mut j = digits(&c, i);
            if j < c.len() && c[j] == '.' {
                j = digits(&c, j + 1);
            }
            if j < c.len() && (c[j] == 'e' || c[j] == 'E') {
                let mut k = j + 1;
                if k < c.len() && (c[k] == '+' || c[k] == '-') {
                    k += 1;
                }
                if !(k < c.len() && c[k].is_ascii_digit()) {
                    return Err(format!("malformed number at position {i} of {text:?}"));
                }
                j = digits(&c, k);
            }
            if j < c.len() && (c[j].is_ascii_alphanumeric() || c[j] == '_' || c[j] == '.') {
                return Err(format!("malformed number at position {i} of {text:?}"));
            }
            out.push(Token::Num(c[i..j].iter().collect()));
            i = j;
        } else if ch.is_ascii_alphabetic() || ch == '_' {
            let mut j = i;
            while j < c.len() && (c[j].is_ascii_alphanumeric() || c[j] == '_') {
                j += 1;
            }
            out.push(Token::Name(c[i..j].iter().collect()));
            i = j;
        } else {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            let op = OPS
                .iter()
                .find(|op| op.len() == 2 && **op == two)
                .or_else(|| OPS.iter().find(|op| op.len() == 1 && op.starts_with(ch)))
                .ok_or_else(|| {
                    format!("unexpected character {ch:?} at position {i} of {text:?}")
                })?;
            out.push(Token::Op(op));
            i += op.len();
        }
    }
    out.push(Token::End);
    Ok(out)
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    pos: usize,
}

type Parsed = Result<Node, String>;

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn take(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        self.pos += 1;
        t
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(self.peek(), Token::Op(o) if *o == op)
    }

    fn at_name(&self, name: &str) -> bool {
        matches!(self.peek(), Token::Name(n) if n == name)
    }

    fn fail(&self, what: &str) -> String {
        format!("{what} in {:?}, found {:?}", self.text, self.peek())
    }

    fn number(&self, node: Node) -> Parsed {
        if node.is_condition() {
            return Err(format!(
                "a condition is used as a number in {:?}",
                self.text
            ));
        }
        Ok(node)
    }

    fn condition(&self, node: Node) -> Parsed {
        if !node.is_condition() {
            return Err(format!(
                "a number is used as a condition in {:?}",
                self.text
            ));
        }
        Ok(node)
    }

    fn parse_or(&mut self) -> Parsed {
        self.parse_logical("or", Self::parse_and)
    }

    fn parse_and(&mut self) -> Parsed {
        self.parse_logical("and", Self::parse_not)
    }

    /// `operand (op operand)*`, left-associative, for `op` `and` / `or`.
    fn parse_logical(&mut self, op: &str, operand: fn(&mut Self) -> Parsed) -> Parsed {
        let mut left = operand(self)?;
        while self.at_name(op) {
            self.take();
            let right = operand(self)?;
            let (l, r) = (self.condition(left)?, self.condition(right)?);
            left = Node::BoolOp(op == "and", Box::new(l), Box::new(r));
        }
        Ok(left)
    }

    /// After a prefix operator: `wrap(check(operand))`.
    fn prefixed(
        &mut self,
        operand: fn(&mut Self) -> Parsed,
        check: fn(&Self, Node) -> Parsed,
        wrap: fn(Box<Node>) -> Node,
    ) -> Parsed {
        self.take();
        let arg = operand(self)?;
        Ok(wrap(Box::new(check(self, arg)?)))
    }

    fn parse_not(&mut self) -> Parsed {
        if self.at_name("not") {
            return self.prefixed(Self::parse_not, Self::condition, Node::Not);
        }
        self.parse_comparison()
    }

    fn comparison_op(&self) -> Option<&'static str> {
        match self.peek() {
            Token::Op(o) => COMPARISONS.iter().copied().find(|c| c == o),
            _ => None,
        }
    }

    fn parse_comparison(&mut self) -> Parsed {
        let left = self.parse_arith()?;
        if let Some(op) = self.comparison_op() {
            self.take();
            let right = self.parse_arith()?;
            let node = Node::Cmp(
                op,
                Box::new(self.number(left)?),
                Box::new(self.number(right)?),
            );
            if self.comparison_op().is_some() {
                return Err(self.fail("chained comparisons are not supported"));
            }
            return Ok(node);
        }
        Ok(left)
    }

    fn parse_arith(&mut self) -> Parsed {
        self.parse_arithmetic([("+", '+'), ("-", '-')], Self::parse_term)
    }

    fn parse_term(&mut self) -> Parsed {
        self.parse_arithmetic([("*", '*'), ("/", '/')], Self::parse_factor)
    }

    /// `operand (op operand)*`, left-associative, for the two operators `ops`
    /// (token, node operator).
    fn parse_arithmetic(
        &mut self,
        ops: [(&str, char); 2],
        operand: fn(&mut Self) -> Parsed,
    ) -> Parsed {
        let mut left = operand(self)?;
        while let Some((_, op)) = ops.into_iter().find(|(token, _)| self.at_op(token)) {
            self.take();
            let right = operand(self)?;
            let (l, r) = (self.number(left)?, self.number(right)?);
            left = Node::Bin(op, Box::new(l), Box::new(r));
        }
        Ok(left)
    }

    fn parse_factor(&mut self) -> Parsed {
        if self.at_op("-") {
            return self.prefixed(Self::parse_factor, Self::number, Node::Neg);
        }
        if self.at_op("+") {
            self.take();
            let arg = self.parse_factor()?;
            return self.number(arg);
        }
        self.parse_power()
    }

    fn parse_power(&mut self) -> Parsed {
        let base = self.parse_primary()?;
        if self.at_op("**") {
            self.take();
            let exponent = self.parse_factor()?;
            return Ok(Node::Bin(
                '^',
                Box::new(self.number(base)?),
                Box::new(self.number(exponent)?),
            ));
        }
        Ok(base)
    }

    fn parse_primary(&mut self) -> Parsed {
        match self.peek().clone() {
            Token::Num(text) => {
                self.take();
                let value: f64 = text
                    .parse()
                    .map_err(|_| format!("malformed number {text} in {:?}", self.text))?;
                if !value.is_finite() {
                    return Err(format!(
                        "number {text} overflows a double in {:?}",
                        self.text
                    ));
                }
                Ok(Node::Num(value))
            }
            Token::Name(name) => {
                if KEYWORDS.contains(&name.as_str()) {
                    return Err(self.fail("expected a value"));
                }
                self.take();
                if self.at_op("(") {
                    return self.parse_call(name);
                }
                Ok(Node::Var(name))
            }
            Token::Op("(") => {
                self.take();
                let inner = self.parse_or()?;
                if !self.at_op(")") {
                    return Err(self.fail("expected ')'"));
                }
                self.take();
                Ok(inner)
            }
            _ => Err(self.fail("expected a value")),
        }
    }

    fn parse_call(&mut self, func: String) -> Parsed {
        let arity = FUNCTIONS
            .iter()
            .find(|(f, _)| *f == func)
            .map(|(_, a)| *a)
            .ok_or_else(|| format!("unknown function {func:?} in {:?}", self.text))?;
        self.take(); // "("
        let first = self.parse_or()?;
        let mut args = vec![self.number(first)?];
        while self.at_op(",") {
            self.take();
            let next = self.parse_or()?;
            args.push(self.number(next)?);
        }
        if !self.at_op(")") {
            return Err(self.fail("expected ',' or ')'"));
        }
        self.take();
        let ok = match arity {
            None => args.len() >= 2,
            Some(n) => args.len() == n,
        };
        if !ok {
            return Err(format!(
                "{func} takes {} argument(s), got {} in {:?}",
                arity.map_or("two or more".to_string(), |n| n.to_string()),
                args.len(),
                self.text
            ));
        }
        Ok(Node::Call(func, args))
    }
}

fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        text,
        tokens: tokens(text)?,
        pos: 0,
    };
    if *p.peek() == Token::End {
        return Err("an expression must not be empty".into());
    }
    let node = p.parse_or()?;
    if *p.peek() != Token::End {
        return Err(p.fail("unexpected text after the expression"));
    }
    Ok(node)
}

/// The syntax tree of a numeric expression.
pub fn parse_expression(text: &str) -> Parsed {
    let node = parse(text)?;
    if node.is_condition() {
        return Err(format!("expected a number, got the condition {text:?}"));
    }
    Ok(node)
}

/// The syntax tree of a condition.
pub fn parse_condition(text: &str) -> Parsed {
    let node = parse(text)?;
    if !node.is_condition() {
        return Err(format!("expected a condition (a comparison), got {text:?}"));
    }
    Ok(node)
}

/// The names a tree reads, in first-use order (`pi` excluded).
pub fn names_of(node: &Node) -> Vec<String> {
    fn walk(n: &Node, seen: &mut Vec<String>) {
        match n {
            Node::Var(name) => {
                if name != "pi" && !seen.contains(name) {
                    seen.push(name.clone());
                }
            }
            Node::Num(_) => {}
            Node::Neg(a) | Node::Not(a) => walk(a, seen),
            Node::Bin(_, a, b) | Node::Cmp(_, a, b) | Node::BoolOp(_, a, b) => {
                walk(a, seen);
                walk(b, seen);
            }
            Node::Call(_, args) => args.iter().for_each(|a| walk(a, seen)),
        }
    }
    let mut seen = Vec::new();
    walk(node, &mut seen);
    seen
}

/// Names to values for evaluation.
pub trait Env {
    /// The value of `name`.
    fn value(&self, name: &str) -> Option<f64>;
}

impl Env for [(String, f64)] {
    fn value(&self, name: &str) -> Option<f64> {
        self.iter().rev().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

impl Env for Vec<(String, f64)> {
    fn value(&self, name: &str) -> Option<f64> {
        self.as_slice().value(name)
    }
}

fn finite(x: f64, what: &str) -> Result<f64, EvalError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(EvalError(format!("{what} is not finite ({x:?})")))
    }
}

/// The first smallest of `values` (`min`), as Python's `min`.
pub fn first_min(values: &[f64]) -> f64 {
    values[1..]
        .iter()
        .fold(values[0], |m, &x| if x < m { x } else { m })
}

/// The first largest of `values` (`max`), as Python's `max`.
pub fn first_max(values: &[f64]) -> f64 {
    values[1..]
        .iter()
        .fold(values[0], |m, &x| if x > m { x } else { m })
}

/// The value of a numeric expression; an unknown name is an evaluation error
/// (callers check the names first).
pub fn evaluate(node: &Node, env: &(impl Env + ?Sized)) -> Result<f64, EvalError> {
    match node {
        Node::Num(v) => Ok(*v),
        Node::Var(name) if name == "pi" => Ok(PI),
        Node::Var(name) => env
            .value(name)
            .ok_or_else(|| EvalError(format!("unknown name {name:?}"))),
        Node::Neg(a) => Ok(-evaluate(a, env)?),
        Node::Bin(op, a, b) => {
            let (x, y) = (evaluate(a, env)?, evaluate(b, env)?);
            match op {
                '+' => finite(x + y, "a sum"),
                '-' => finite(x - y, "a difference"),
                '*' => finite(x * y, "a product"),
                '/' if y == 0.0 => Err(EvalError("division by zero".into())),
                '/' => finite(x / y, "a quotient"),
                _ => finite(x.powf(y), "a power"),
            }
        }
        Node::Call(func, args) => {
            let v = args
                .iter()
                .map(|a| evaluate(a, env))
                .collect::<Result<Vec<f64>, EvalError>>()?;
            let out = match func.as_str() {
                "exp" => v[0].exp(),
                "log" => v[0].ln(),
                "sqrt" => v[0].sqrt(),
                "abs" => v[0].abs(),
                "sin" => v[0].sin(),
                "cos" => v[0].cos(),
                "tanh" => v[0].tanh(),
                "cosh" => v[0].cosh(),
                "sinh" => v[0].sinh(),
                "min" => first_min(&v),
                "max" => first_max(&v),
                _ => first_min(&[first_max(&[v[0], v[1]]), v[2]]),
            };
            finite(out, func)
        }
        _ => Err(EvalError("a condition is not a number".into())),
    }
}

/// `a op b` for a comparison `op` of [`COMPARISONS`] (`!=` for any other);
/// shared with the fixed-point words.
pub fn compare<T: PartialOrd>(op: &str, a: T, b: T) -> bool {
    match op {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        ">=" => a >= b,
        "==" => a == b,
        _ => a != b,
    }
}

/// Whether a condition holds (`and`/`or` short-circuit).
pub fn holds(node: &Node, env: &(impl Env + ?Sized)) -> Result<bool, EvalError> {
    match node {
        Node::Cmp(op, a, b) => Ok(compare(op, evaluate(a, env)?, evaluate(b, env)?)),
        Node::Not(a) => Ok(!holds(a, env)?),
        Node::BoolOp(true, a, b) => Ok(holds(a, env)? && holds(b, env)?),
        Node::BoolOp(false, a, b) => Ok(holds(a, env)? || holds(b, env)?),
        _ => Err(EvalError("a number is not a condition".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> Result<f64, EvalError> {
        let env: Vec<(String, f64)> = vec![("x".into(), 3.0), ("y".into(), 0.5)];
        evaluate(&parse_expression(text).unwrap(), &env)
    }

    #[test]
    fn precedence_follows_python() {
        assert_eq!(eval("-x**2"), Ok(-9.0));
        assert_eq!(eval("2 ** 3 ** 2"), Ok(512.0));
        assert_eq!(eval("1 + 2 * 3 - 4 / 2"), Ok(5.0));
        assert_eq!(eval("- - x"), Ok(3.0));
        assert_eq!(eval("min(x, y) + clip(x, 0, 1)"), Ok(1.5));
        assert!(eval("x / (x - 3)").is_err());
        assert!(eval("log(y - 0.5)").is_err());
        for bad in [
            "",
            "1 +",
            "2x",
            "1..2",
            "x < y < 1",
            "min(1)",
            "foo(1)",
            "x $ y",
            "1e400",
        ] {
            assert!(parse_expression(bad).is_err(), "{bad}");
        }
        let env: Vec<(String, f64)> = vec![("v".into(), 1.0)];
        let c = parse_condition("v > 5 and not (v > 4) or v >= 1").unwrap();
        assert_eq!(holds(&c, &env), Ok(true));
        assert!(parse_condition("v + 1").is_err());
        assert_eq!(
            names_of(&parse_expression("a * pi + b - a").unwrap()),
            ["a", "b"]
        );
    }
}
