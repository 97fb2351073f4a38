//! Typed loss surfaces f(x, y): a small parser, a compiled stack program, and evaluation over
//! `f64` (heat maps) and over a second-order dual number (exact gradient and Hessian by
//! forward-mode automatic differentiation — no finite differences).
//!
//! Grammar: numbers (`1e-3`), `x`, `y`, `+ - * / ^` (`^` right-associative and binding tighter
//! than unary minus: `-x^2 = -(x^2)`), parentheses, unary minus (also the Unicode minus `−`),
//! functions `sin cos tan exp log sqrt abs tanh sinh cosh atan` and two-argument `min max`,
//! constants `pi` and `e`. At most [`MAX_LEN`] characters and [`MAX_DEPTH`] levels of nesting:
//! beyond that a clear error, never a stack overflow. Nothing but the program is executed.

use nalgebra::{Matrix2, Vector2};

/// Longest accepted expression, in characters.
pub const MAX_LEN: usize = 500;
/// Deepest accepted nesting (parentheses, function calls, unary minus and powers).
pub const MAX_DEPTH: usize = 64;

/// Every parse error message (English keys of the translation table; tests/i18n.rs checks them).
pub const MESSAGES: &[&str] = &[
    "expected ( after a function name",
    "missing closing parenthesis",
    "min and max take two arguments",
    "expected a number, x, y, a function or (",
    "expression ends too early",
    "expression longer than 500 characters",
    "expression nested too deeply",
    "malformed number",
    "number too large",
    "unexpected character",
    "unexpected text after the expression",
    "unknown name (use x, y, pi, e or a listed function)",
];

/// A parse error: what and where (1-based column, in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based character column.
    pub col: usize,
    /// English message (a key of the translation table).
    pub msg: &'static str,
}

/// One-argument functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// sin
    Sin,
    /// cos
    Cos,
    /// tan
    Tan,
    /// exp
    Exp,
    /// natural log
    Log,
    /// sqrt
    Sqrt,
    /// |·|
    Abs,
    /// tanh
    Tanh,
    /// sinh
    Sinh,
    /// cosh
    Cosh,
    /// atan
    Atan,
}

/// An instruction of the compiled program (postfix, on a value stack).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Push a constant.
    Const(f64),
    /// Push x.
    X,
    /// Push y.
    Y,
    /// a + b
    Add,
    /// a − b
    Sub,
    /// a · b
    Mul,
    /// a / b
    Div,
    /// a ^ b
    Pow,
    /// a ^ n for a constant integer n (peephole of `Const(n), Pow`): multiplications, not `powf`.
    Powi(i32),
    /// −a
    Neg,
    /// f(a)
    Call(Func),
    /// min(a, b)
    Min,
    /// max(a, b)
    Max,
}

/// A compiled expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    ops: Vec<Op>,
    depth: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(usize, usize), // byte range in the source
    Op(char),
    LParen,
    RParen,
    Comma,
    End,
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize)>, // token, 1-based column
    pos: usize,
    ops: Vec<Op>,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let col = i + 1;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '0'..='9' | '.' => {
                let start = at;
                let mut j = i;
                let mut seen_e = false;
                while j < chars.len() {
                    let d = chars[j].1;
                    if d.is_ascii_digit() || d == '.' {
                        j += 1;
                    } else if (d == 'e' || d == 'E')
                        && !seen_e
                        && j + 1 < chars.len()
                        && (chars[j + 1].1.is_ascii_digit()
                            || ((chars[j + 1].1 == '-' || chars[j + 1].1 == '+') && j + 2 < chars.len() && chars[j + 2].1.is_ascii_digit()))
                    {
                        seen_e = true;
                        j += if chars[j + 1].1.is_ascii_digit() { 1 } else { 2 };
                    } else {
                        break;
                    }
                }
                let end = if j < chars.len() { chars[j].0 } else { src.len() };
                let v: f64 = src[start..end].parse().map_err(|_| ParseError { col, msg: "malformed number" })?;
                if !v.is_finite() {
                    return Err(ParseError { col, msg: "number too large" });
                }
                out.push((Tok::Num(v), col));
                i = j;
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let start = at;
                let mut j = i;
                while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || chars[j].1 == '_') {
                    j += 1;
                }
                let end = if j < chars.len() { chars[j].0 } else { src.len() };
                out.push((Tok::Ident(start, end), col));
                i = j;
            }
            '+' | '-' | '*' | '/' | '^' => {
                out.push((Tok::Op(c), col));
                i += 1;
            }
            '−' => {
                out.push((Tok::Op('-'), col));
                i += 1;
            }
            '(' => {
                out.push((Tok::LParen, col));
                i += 1;
            }
            ')' => {
                out.push((Tok::RParen, col));
                i += 1;
            }
            ',' => {
                out.push((Tok::Comma, col));
                i += 1;
            }
            _ => return Err(ParseError { col, msg: "unexpected character" }),
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

impl Parser<'_> {
    fn peek(&self) -> (Tok, usize) {
        self.toks[self.pos]
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos];
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn deeper(depth: usize, col: usize) -> Result<usize, ParseError> {
        if depth >= MAX_DEPTH {
            Err(ParseError { col, msg: "expression nested too deeply" })
        } else {
            Ok(depth + 1)
        }
    }
    // sum := product (('+'|'-') product)*
    fn sum(&mut self, depth: usize) -> Result<(), ParseError> {
        self.product(depth)?;
        while let (Tok::Op(c @ ('+' | '-')), _) = self.peek() {
            self.next();
            self.product(depth)?;
            self.ops.push(if c == '+' { Op::Add } else { Op::Sub });
        }
        Ok(())
    }
    // product := unary (('*'|'/') unary)*
    fn product(&mut self, depth: usize) -> Result<(), ParseError> {
        self.unary(depth)?;
        while let (Tok::Op(c @ ('*' | '/')), _) = self.peek() {
            self.next();
            self.unary(depth)?;
            self.ops.push(if c == '*' { Op::Mul } else { Op::Div });
        }
        Ok(())
    }
    // unary := '-' unary | power
    fn unary(&mut self, depth: usize) -> Result<(), ParseError> {
        if let (Tok::Op('-'), col) = self.peek() {
            self.next();
            self.unary(Self::deeper(depth, col)?)?;
            self.ops.push(Op::Neg);
            return Ok(());
        }
        if let (Tok::Op('+'), col) = self.peek() {
            self.next();
            return self.unary(Self::deeper(depth, col)?);
        }
        self.power(depth)
    }
    // power := primary ('^' unary)?   (right-associative; the exponent may carry a sign)
    fn power(&mut self, depth: usize) -> Result<(), ParseError> {
        self.primary(depth)?;
        if let (Tok::Op('^'), col) = self.peek() {
            self.next();
            self.unary(Self::deeper(depth, col)?)?;
            self.ops.push(Op::Pow);
        }
        Ok(())
    }
    fn expect(&mut self, want: Tok, msg: &'static str) -> Result<(), ParseError> {
        let (t, col) = self.next();
        if t == want {
            Ok(())
        } else {
            Err(ParseError { col, msg })
        }
    }
    fn primary(&mut self, depth: usize) -> Result<(), ParseError> {
        let (t, col) = self.next();
        match t {
            Tok::Num(v) => self.ops.push(Op::Const(v)),
            Tok::LParen => {
                self.sum(Self::deeper(depth, col)?)?;
                self.expect(Tok::RParen, "missing closing parenthesis")?;
            }
            Tok::Ident(a, b) => {
                let name = &self.src[a..b];
                match name {
                    "x" => self.ops.push(Op::X),
                    "y" => self.ops.push(Op::Y),
                    "pi" => self.ops.push(Op::Const(std::f64::consts::PI)),
                    "e" => self.ops.push(Op::Const(std::f64::consts::E)),
                    "min" | "max" => {
                        let d = Self::deeper(depth, col)?;
                        self.expect(Tok::LParen, "expected ( after a function name")?;
                        self.sum(d)?;
                        self.expect(Tok::Comma, "min and max take two arguments")?;
                        self.sum(d)?;
                        self.expect(Tok::RParen, "missing closing parenthesis")?;
                        self.ops.push(if name == "min" { Op::Min } else { Op::Max });
                    }
                    _ => {
                        let f = match name {
                            "sin" => Func::Sin,
                            "cos" => Func::Cos,
                            "tan" => Func::Tan,
                            "exp" => Func::Exp,
                            "log" | "ln" => Func::Log,
                            "sqrt" => Func::Sqrt,
                            "abs" => Func::Abs,
                            "tanh" => Func::Tanh,
                            "sinh" => Func::Sinh,
                            "cosh" => Func::Cosh,
                            "atan" => Func::Atan,
                            _ => return Err(ParseError { col, msg: "unknown name (use x, y, pi, e or a listed function)" }),
                        };
                        let d = Self::deeper(depth, col)?;
                        self.expect(Tok::LParen, "expected ( after a function name")?;
                        self.sum(d)?;
                        self.expect(Tok::RParen, "missing closing parenthesis")?;
                        self.ops.push(Op::Call(f));
                    }
                }
            }
            Tok::End => return Err(ParseError { col, msg: "expression ends too early" }),
            _ => return Err(ParseError { col, msg: "expected a number, x, y, a function or (" }),
        }
        Ok(())
    }
}

impl Program {
    /// Parses and compiles `src`.
    pub fn parse(src: &str) -> Result<Program, ParseError> {
        let n = src.chars().count();
        if n > MAX_LEN {
            return Err(ParseError { col: MAX_LEN + 1, msg: "expression longer than 500 characters" });
        }
        let toks = lex(src)?;
        let mut p = Parser { src, toks, pos: 0, ops: Vec::new() };
        p.sum(0)?;
        // Peephole: a constant small integer exponent becomes Powi (5× faster than powf per pixel).
        let mut ops: Vec<Op> = Vec::with_capacity(p.ops.len());
        for op in std::mem::take(&mut p.ops) {
            match (ops.last(), op) {
                (Some(&Op::Const(c)), Op::Pow) if c.fract() == 0.0 && c.abs() <= 64.0 => {
                    ops.pop();
                    ops.push(Op::Powi(c as i32));
                }
                _ => ops.push(op),
            }
        }
        p.ops = ops;
        let (t, col) = p.peek();
        if t != Tok::End {
            return Err(ParseError { col, msg: "unexpected text after the expression" });
        }
        // Stack depth needed by the program (for preallocation; also proves it is well formed).
        let (mut d, mut max) = (0usize, 0usize);
        for op in &p.ops {
            match op {
                Op::Const(_) | Op::X | Op::Y => d += 1,
                Op::Neg | Op::Call(_) | Op::Powi(_) => {}
                _ => d -= 1,
            }
            max = max.max(d);
        }
        debug_assert_eq!(d, 1);
        Ok(Program { ops: p.ops, depth: max })
    }

    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the program is empty (never, for a parsed one).
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Runs the program over any number type.
    fn run<T: Num>(&self, x: T, y: T, stack: &mut Vec<T>) -> T {
        stack.clear();
        for op in &self.ops {
            let v = match *op {
                Op::Const(c) => T::constant(c),
                Op::X => x,
                Op::Y => y,
                Op::Neg => {
                    let a = stack.pop().unwrap_or(T::constant(f64::NAN));
                    a.neg()
                }
                Op::Call(f) => {
                    let a = stack.pop().unwrap_or(T::constant(f64::NAN));
                    a.call(f)
                }
                Op::Powi(n) => {
                    let a = stack.pop().unwrap_or(T::constant(f64::NAN));
                    a.powi(n)
                }
                _ => {
                    let b = stack.pop().unwrap_or(T::constant(f64::NAN));
                    let a = stack.pop().unwrap_or(T::constant(f64::NAN));
                    match *op {
                        Op::Add => a.add(b),
                        Op::Sub => a.sub(b),
                        Op::Mul => a.mul(b),
                        Op::Div => a.div(b),
                        Op::Pow => a.pow(b),
                        Op::Min => a.min(b),
                        _ => a.max(b),
                    }
                }
            };
            stack.push(v);
        }
        stack.pop().unwrap_or(T::constant(f64::NAN))
    }

    /// f(x, y); NaN or ±∞ where f is undefined.
    pub fn value(&self, x: f64, y: f64) -> f64 {
        let mut s = Vec::with_capacity(self.depth);
        self.run(x, y, &mut s)
    }

    /// f at many points. Runs instruction by instruction over a block of points at once, so each
    /// instruction is one tight loop over arrays instead of an interpreter step per point. Blocks
    /// are small enough that the whole value stack stays in the L1 cache (streaming every
    /// instruction over megabyte-sized arrays was memory-bound and twice as slow).
    pub fn values(&self, xs: &[f64], ys: &[f64]) -> Vec<f64> {
        run_blocks(&self.ops, xs, ys).unwrap_or_else(|| vec![f64::NAN; xs.len().min(ys.len())])
    }

    /// f on the tensor grid `cols` × `rows` (heat maps), row-major: entry `j·w + i` is
    /// f(cols\[i\], rows\[j\]). Bit-identical to [`Program::value`] at every point, but a subexpression
    /// free of y (`cos(2*pi*x)`, `3*x^2`) is evaluated once per column instead of once per pixel,
    /// one free of x once per row, and a constant once: typed benchmark functions are sums of
    /// such terms, so this halves the work of a heat map.
    pub fn grid(&self, cols: &[f64], rows: &[f64]) -> Vec<f64> {
        let (w, h) = (cols.len(), rows.len());
        let bad = || vec![f64::NAN; w * h];
        // Static pass: what each instruction's value depends on (bit 1: x, bit 2: y) and where
        // its subexpression starts (postfix: a subexpression is a contiguous range of instructions).
        let (mut dep, mut start) = (Vec::with_capacity(self.ops.len()), Vec::with_capacity(self.ops.len()));
        let mut st: Vec<(u8, usize)> = Vec::new();
        for (k, op) in self.ops.iter().enumerate() {
            let top = match op {
                Op::Const(_) => (0, k),
                Op::X => (1, k),
                Op::Y => (2, k),
                Op::Neg | Op::Call(_) | Op::Powi(_) => match st.pop() {
                    Some(t) => t,
                    None => return bad(),
                },
                _ => match (st.pop(), st.pop()) {
                    (Some(b), Some(a)) => (a.0 | b.0, a.1),
                    _ => return bad(),
                },
            };
            st.push(top);
            dep.push(top.0);
            start.push(top.1);
        }
        if st.len() != 1 {
            return bad();
        }
        // The largest y-free subexpression starting at each instruction: scanning left to right and
        // jumping over it, the outermost one is always met first.
        let mut jump = vec![usize::MAX; self.ops.len()];
        for k in 0..self.ops.len() {
            if dep[k] & 2 == 0 {
                jump[start[k]] = k;
            }
        }
        let mut pre: Vec<Option<Src<Vec<f64>>>> = vec![None; self.ops.len()];
        let mut out = Vec::with_capacity(w * h);
        let mut pool: Vec<Vec<f64>> = Vec::new();
        let mut stack: Vec<Src<Vec<f64>>> = Vec::new();
        let fresh = |pool: &mut Vec<Vec<f64>>| pool.pop().unwrap_or_else(|| vec![0.0; w]);
        for &y in rows {
            let mut k = 0;
            while k < self.ops.len() {
                let op = self.ops[k];
                let end = jump[k];
                if end != usize::MAX {
                    // A y-free subexpression: the same for every row, so computed on the first.
                    let v = pre[end].get_or_insert_with(|| {
                        let sub = &self.ops[k..=end];
                        let vals = run_blocks(sub, if dep[end] == 0 { &cols[..w.min(1)] } else { cols }, cols).unwrap_or_default();
                        if dep[end] == 0 {
                            Src::S(vals.first().copied().unwrap_or(f64::NAN))
                        } else {
                            Src::V(vals)
                        }
                    });
                    stack.push(match v {
                        Src::S(c) => Src::S(*c),
                        Src::V(v) => {
                            let mut b = fresh(&mut pool);
                            b.copy_from_slice(v);
                            Src::V(b)
                        }
                    });
                    k = end + 1;
                    continue;
                }
                match op {
                    Op::Y => stack.push(Src::S(y)),
                    Op::Const(c) => stack.push(Src::S(c)),
                    Op::X => return bad(), // always inside a y-free subexpression
                    Op::Neg | Op::Call(_) | Op::Powi(_) => match stack.last_mut() {
                        Some(Src::S(a)) => *a = unary_one(op, *a),
                        Some(Src::V(a)) => unary(op, a),
                        None => return bad(),
                    },
                    _ => {
                        let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else { return bad() };
                        stack.push(match (a, b) {
                            (Src::S(u), Src::S(v)) => Src::S(binary_one(op, u, v)),
                            (Src::V(mut a), b) => {
                                left(op, &mut a, b.as_ref());
                                if let Src::V(b) = b {
                                    pool.push(b);
                                }
                                Src::V(a)
                            }
                            (Src::S(u), Src::V(mut b)) => {
                                right(op, u, &mut b);
                                Src::V(b)
                            }
                        });
                    }
                }
                k += 1;
            }
            match stack.pop() {
                Some(Src::S(v)) => out.extend(std::iter::repeat_n(v, w)),
                Some(Src::V(v)) => {
                    out.extend_from_slice(&v);
                    pool.push(v);
                }
                None => return bad(),
            }
        }
        out
    }

    /// Value, gradient and Hessian at (x, y), exact (forward-mode AD).
    pub fn derivatives(&self, x: f64, y: f64) -> (f64, Vector2<f64>, Matrix2<f64>) {
        let mut s = Vec::with_capacity(self.depth);
        let d = self.run(D2::var(x, 0), D2::var(y, 1), &mut s);
        (d.v, Vector2::new(d.g[0], d.g[1]), Matrix2::new(d.h[0], d.h[1], d.h[1], d.h[2]))
    }
}

/// A value with its gradient and Hessian (xx, xy, yy): second-order forward-mode AD.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct D2 {
    /// Value.
    pub v: f64,
    /// Gradient.
    pub g: [f64; 2],
    /// Hessian entries xx, xy, yy.
    pub h: [f64; 3],
}

impl D2 {
    fn var(v: f64, i: usize) -> D2 {
        let mut g = [0.0; 2];
        g[i] = 1.0;
        D2 { v, g, h: [0.0; 3] }
    }
    /// Chain rule for g = f(u) given f(u), f'(u), f''(u).
    fn chain(self, f0: f64, f1: f64, f2: f64) -> D2 {
        let [a, b] = self.g;
        D2 { v: f0, g: [f1 * a, f1 * b], h: [f1 * self.h[0] + f2 * a * a, f1 * self.h[1] + f2 * a * b, f1 * self.h[2] + f2 * b * b] }
    }
}

/// What the program needs of a number type.
trait Num: Copy {
    fn constant(c: f64) -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn powi(self, n: i32) -> Self;
    fn min(self, o: Self) -> Self;
    fn max(self, o: Self) -> Self;
    fn call(self, f: Func) -> Self;
}

fn apply(f: Func, u: f64) -> (f64, f64, f64) {
    // (f(u), f'(u), f''(u))
    match f {
        Func::Sin => (u.sin(), u.cos(), -u.sin()),
        Func::Cos => (u.cos(), -u.sin(), -u.cos()),
        Func::Tan => {
            let t = u.tan();
            let s = 1.0 + t * t;
            (t, s, 2.0 * t * s)
        }
        Func::Exp => {
            let e = u.exp();
            (e, e, e)
        }
        Func::Log => (if u > 0.0 { u.ln() } else { f64::NAN }, 1.0 / u, -1.0 / (u * u)),
        Func::Sqrt => {
            let s = if u >= 0.0 { u.sqrt() } else { f64::NAN };
            (s, 0.5 / s, -0.25 / (s * u))
        }
        Func::Abs => (
            u.abs(),
            if u > 0.0 {
                1.0
            } else if u < 0.0 {
                -1.0
            } else {
                0.0
            },
            0.0,
        ),
        Func::Tanh => {
            let t = u.tanh();
            let s = 1.0 - t * t;
            (t, s, -2.0 * t * s)
        }
        Func::Sinh => (u.sinh(), u.cosh(), u.sinh()),
        Func::Cosh => (u.cosh(), u.sinh(), u.cosh()),
        Func::Atan => {
            let d = 1.0 + u * u;
            (u.atan(), 1.0 / d, -2.0 * u / (d * d))
        }
    }
}

impl Num for f64 {
    fn constant(c: f64) -> Self {
        c
    }
    fn add(self, o: Self) -> Self {
        self + o
    }
    fn sub(self, o: Self) -> Self {
        self - o
    }
    fn mul(self, o: Self) -> Self {
        self * o
    }
    fn div(self, o: Self) -> Self {
        self / o
    }
    fn pow(self, o: Self) -> Self {
        self.powf(o)
    }
    fn neg(self) -> Self {
        -self
    }
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    fn min(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            f64::NAN
        } else {
            f64::min(self, o)
        }
    }
    fn max(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            f64::NAN
        } else {
            f64::max(self, o)
        }
    }
    fn call(self, f: Func) -> Self {
        // Value only: the heat map needs no derivatives (apply() would compute three functions).
        match f {
            Func::Sin => self.sin(),
            Func::Cos => self.cos(),
            Func::Tan => self.tan(),
            Func::Exp => self.exp(),
            // Undefined outside the domain (ln(0) = −∞ counts as undefined too).
            Func::Log => {
                if self > 0.0 {
                    self.ln()
                } else {
                    f64::NAN
                }
            }
            Func::Sqrt => self.sqrt(),
            Func::Abs => self.abs(),
            Func::Tanh => self.tanh(),
            Func::Sinh => self.sinh(),
            Func::Cosh => self.cosh(),
            Func::Atan => self.atan(),
        }
    }
}

/// A value on the grid evaluator's stack: one number for the whole row, or one per column.
#[derive(Clone, Debug)]
enum Src<V> {
    S(f64),
    V(V),
}

impl Src<Vec<f64>> {
    fn as_ref(&self) -> Src<&[f64]> {
        match self {
            Src::S(c) => Src::S(*c),
            Src::V(v) => Src::V(v),
        }
    }
}

/// Runs `ops` over `xs`, `ys` in cache-sized blocks; `None` if the program is malformed.
fn run_blocks(ops: &[Op], xs: &[f64], ys: &[f64]) -> Option<Vec<f64>> {
    const BLOCK: usize = 256;
    let n = xs.len().min(ys.len());
    let mut out = Vec::with_capacity(n);
    let mut stack: Vec<[f64; BLOCK]> = Vec::new();
    for at in (0..n).step_by(BLOCK) {
        let m = (n - at).min(BLOCK);
        let mut sp = 0;
        for &op in ops {
            match op {
                Op::Const(_) | Op::X | Op::Y => {
                    if sp == stack.len() {
                        stack.push([0.0; BLOCK]);
                    }
                    let a = &mut stack[sp][..m];
                    match op {
                        Op::Const(c) => a.fill(c),
                        Op::X => a.copy_from_slice(&xs[at..at + m]),
                        _ => a.copy_from_slice(&ys[at..at + m]),
                    }
                    sp += 1;
                }
                Op::Neg | Op::Call(_) | Op::Powi(_) => unary(op, &mut stack[sp.checked_sub(1)?][..m]),
                _ => {
                    let (lo, hi) = stack.split_at_mut(sp.checked_sub(1).filter(|&i| i >= 1)?);
                    left(op, &mut lo[sp - 2][..m], Src::V(&hi[0][..m]));
                    sp -= 1;
                }
            }
        }
        if sp != 1 {
            return None;
        }
        out.extend_from_slice(&stack[0][..m]);
    }
    Some(out)
}

/// A unary instruction on one value (the rules of `Num for f64`).
fn unary_one(op: Op, a: f64) -> f64 {
    match op {
        Op::Neg => -a,
        Op::Powi(k) => a.powi(k),
        Op::Call(f) => Num::call(a, f),
        _ => f64::NAN,
    }
}

/// A unary instruction over a block, with the dispatch outside the loop.
fn unary(op: Op, a: &mut [f64]) {
    fn each(a: &mut [f64], g: impl Fn(f64) -> f64) {
        a.iter_mut().for_each(|v| *v = g(*v));
    }
    match op {
        Op::Neg => each(a, |v| -v),
        // Squares dominate typed formulas; powi is a call with a loop on wasm.
        Op::Powi(2) => each(a, |v| v * v),
        Op::Powi(k) => each(a, |v| v.powi(k)),
        Op::Call(Func::Sin) => each(a, f64::sin),
        Op::Call(Func::Cos) => each(a, f64::cos),
        Op::Call(Func::Exp) => each(a, f64::exp),
        Op::Call(Func::Abs) => each(a, f64::abs),
        Op::Call(f) => each(a, |v| Num::call(v, f)),
        _ => {}
    }
}

/// A binary instruction on two values (the rules of `Num for f64`).
fn binary_one(op: Op, u: f64, v: f64) -> f64 {
    match op {
        Op::Add => u + v,
        Op::Sub => u - v,
        Op::Mul => u * v,
        Op::Div => u / v,
        Op::Pow => u.powf(v),
        Op::Min => Num::min(u, v),
        Op::Max => Num::max(u, v),
        _ => f64::NAN,
    }
}

/// Expands to a loop per instruction (dispatch outside the loop) computing `$out = op($u, $v)`.
macro_rules! per_op {
    ($op:expr, $each:ident) => {
        match $op {
            Op::Add => $each!(|u: f64, v: f64| u + v),
            Op::Sub => $each!(|u: f64, v: f64| u - v),
            Op::Mul => $each!(|u: f64, v: f64| u * v),
            Op::Div => $each!(|u: f64, v: f64| u / v),
            Op::Pow => $each!(|u: f64, v: f64| u.powf(v)),
            Op::Min => $each!(|u: f64, v: f64| Num::min(u, v)),
            Op::Max => $each!(|u: f64, v: f64| Num::max(u, v)),
            _ => {}
        }
    };
}

/// `a ← a op b` elementwise.
fn left(op: Op, a: &mut [f64], b: Src<&[f64]>) {
    macro_rules! each {
        ($f:expr) => {
            match b {
                Src::S(v) => a.iter_mut().for_each(|u| *u = ($f)(*u, v)),
                Src::V(bs) => a.iter_mut().zip(bs).for_each(|(u, &v)| *u = ($f)(*u, v)),
            }
        };
    }
    per_op!(op, each)
}

/// `b ← u op b` elementwise.
fn right(op: Op, u: f64, b: &mut [f64]) {
    macro_rules! each {
        ($f:expr) => {
            b.iter_mut().for_each(|v| *v = ($f)(u, *v))
        };
    }
    per_op!(op, each)
}

impl Num for D2 {
    fn constant(c: f64) -> Self {
        D2 { v: c, g: [0.0; 2], h: [0.0; 3] }
    }
    fn add(self, o: Self) -> Self {
        D2 { v: self.v + o.v, g: [self.g[0] + o.g[0], self.g[1] + o.g[1]], h: [self.h[0] + o.h[0], self.h[1] + o.h[1], self.h[2] + o.h[2]] }
    }
    fn sub(self, o: Self) -> Self {
        self.add(o.neg())
    }
    fn mul(self, o: Self) -> Self {
        let (a, b) = (self, o);
        D2 {
            v: a.v * b.v,
            g: [a.g[0] * b.v + a.v * b.g[0], a.g[1] * b.v + a.v * b.g[1]],
            h: [
                a.h[0] * b.v + 2.0 * a.g[0] * b.g[0] + a.v * b.h[0],
                a.h[1] * b.v + a.g[0] * b.g[1] + a.g[1] * b.g[0] + a.v * b.h[1],
                a.h[2] * b.v + 2.0 * a.g[1] * b.g[1] + a.v * b.h[2],
            ],
        }
    }
    fn div(self, o: Self) -> Self {
        // a / b = a · (1/b), with 1/u: f' = −1/u², f'' = 2/u³.
        let u = o.v;
        self.mul(o.chain(1.0 / u, -1.0 / (u * u), 2.0 / (u * u * u)))
    }
    fn pow(self, o: Self) -> Self {
        let constant_exponent = o.g == [0.0; 2] && o.h == [0.0; 3];
        if constant_exponent {
            // uⁿ with f' = n uⁿ⁻¹, f'' = n(n−1)uⁿ⁻²: exact for negative bases and integer n.
            let (u, n) = (self.v, o.v);
            let f1 = if n == 0.0 { 0.0 } else { n * u.powf(n - 1.0) };
            let f2 = if n == 0.0 || n == 1.0 { 0.0 } else { n * (n - 1.0) * u.powf(n - 2.0) };
            self.chain(u.powf(n), f1, f2)
        } else {
            // a^b = exp(b·ln a), defined for a > 0.
            o.mul(self.call(Func::Log)).call(Func::Exp)
        }
    }
    fn powi(self, n: i32) -> Self {
        let u = self.v;
        let f1 = if n == 0 { 0.0 } else { n as f64 * u.powi(n - 1) };
        let f2 = if n == 0 || n == 1 { 0.0 } else { (n * (n - 1)) as f64 * u.powi(n - 2) };
        self.chain(u.powi(n), f1, f2)
    }
    fn neg(self) -> Self {
        D2 { v: -self.v, g: [-self.g[0], -self.g[1]], h: [-self.h[0], -self.h[1], -self.h[2]] }
    }
    fn min(self, o: Self) -> Self {
        if self.v.is_nan() || o.v.is_nan() {
            D2::constant(f64::NAN)
        } else if self.v <= o.v {
            self
        } else {
            o
        }
    }
    fn max(self, o: Self) -> Self {
        if self.v.is_nan() || o.v.is_nan() {
            D2::constant(f64::NAN)
        } else if self.v >= o.v {
            self
        } else {
            o
        }
    }
    fn call(self, f: Func) -> Self {
        let (f0, f1, f2) = apply(f, self.v);
        let f0 = if f == Func::Log && self.v <= 0.0 { f64::NAN } else { f0 };
        self.chain(f0, f1, f2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::surfaces::{Objective, Surface, SurfaceKind};
    use proptest::prelude::*;

    fn v(s: &str, x: f64, y: f64) -> f64 {
        Program::parse(s).unwrap().value(x, y)
    }

    #[test]
    fn precedence_associativity_and_constants() {
        assert_eq!(v("2^3^2", 0.0, 0.0), 512.0); // right-associative
        assert_eq!(v("-x^2", 3.0, 0.0), -9.0); // ^ binds tighter than unary minus
        assert_eq!(v("2^-1", 0.0, 0.0), 0.5);
        assert_eq!(v("1 - 2 - 3", 0.0, 0.0), -4.0);
        assert_eq!(v("8 / 4 / 2", 0.0, 0.0), 1.0);
        assert_eq!(v("--x", 2.0, 0.0), 2.0);
        assert_eq!(v("−x", 2.0, 0.0), -2.0); // Unicode minus
        assert_eq!(v("1e-3*x + 2.5E2", 1000.0, 0.0), 251.0);
        assert_eq!(v("min(x, y) + max(x, y)", 1.0, 5.0), 6.0);
        assert!((v("pi", 0.0, 0.0) - std::f64::consts::PI).abs() < 1e-15);
        assert!((v("log(e)", 0.0, 0.0) - 1.0).abs() < 1e-15);
        assert!(v("log(x)", -1.0, 0.0).is_nan());
        assert!(v("sqrt(x)", -1.0, 0.0).is_nan());
        assert!(v("1/x", 0.0, 0.0).is_infinite());
    }

    #[test]
    fn grid_evaluation_equals_pointwise() {
        let p = Program::parse("log(x) + min(x, y)^2 - 3/y + sqrt(abs(x*y)) + x^y").unwrap();
        let xs: Vec<f64> = (0..200).map(|k| k as f64 / 40.0 - 2.0).collect();
        let ys: Vec<f64> = (0..200).map(|k| 1.7 - k as f64 / 60.0).collect();
        let grid = p.values(&xs, &ys);
        for k in 0..200 {
            let one = p.value(xs[k], ys[k]);
            assert!(grid[k].to_bits() == one.to_bits() || (grid[k].is_nan() && one.is_nan()), "{k}: {} vs {one}", grid[k]);
        }
    }

    #[test]
    fn tensor_grid_equals_pointwise_bit_for_bit() {
        // y-free, x-free and constant subexpressions in every position (left, right, nested, whole).
        let formulas = [
            "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
            "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
            "log(x) + min(x, y)^2 - 3/y + sqrt(abs(x*y)) + x^y",
            "2^3 + y", "x", "y", "7", "cos(x)*sin(y)", "(y - x)^3 / (1 + x^2)", "max(2, x) - min(y, -1) + tanh(x)*y",
        ];
        let cols: Vec<f64> = (0..37).map(|k| k as f64 / 9.0 - 2.0).collect();
        let rows: Vec<f64> = (0..23).map(|k| 1.7 - k as f64 / 7.0).collect();
        for f in formulas {
            let p = Program::parse(f).unwrap();
            let grid = p.grid(&cols, &rows);
            assert_eq!(grid.len(), cols.len() * rows.len());
            for (j, &y) in rows.iter().enumerate() {
                for (i, &x) in cols.iter().enumerate() {
                    let (g, one) = (grid[j * cols.len() + i], p.value(x, y));
                    assert!(g.to_bits() == one.to_bits() || (g.is_nan() && one.is_nan()), "{f} at ({x}, {y}): {g} vs {one}");
                }
            }
        }
        assert!(Program::parse("x").unwrap().grid(&[], &rows).is_empty());
    }

    #[test]
    fn errors_name_the_column() {
        let e = |s: &str| Program::parse(s).unwrap_err();
        assert_eq!(e("x +* y"), ParseError { col: 4, msg: "expected a number, x, y, a function or (" });
        assert_eq!(e("x^^y").col, 3);
        assert_eq!(e("((x)").col, 5);
        assert_eq!(e("").msg, "expression ends too early");
        assert_eq!(e("1e999").msg, "number too large");
        assert_eq!(e("nan").msg, "unknown name (use x, y, pi, e or a listed function)");
        assert_eq!(e("inf*x").col, 1);
        assert_eq!(e("x ＋ y"), ParseError { col: 3, msg: "unexpected character" }); // full-width plus
        assert_eq!(e("sin x").msg, "expected ( after a function name");
        assert_eq!(e("max(x)").msg, "min and max take two arguments");
        assert_eq!(e("x y").msg, "unexpected text after the expression");
        assert_eq!(e(&"x".repeat(501)).msg, "expression longer than 500 characters");
        assert_eq!(e(&format!("{}x{}", "(".repeat(100), ")".repeat(100))).msg, "expression nested too deeply");
        assert_eq!(e(&"-".repeat(200)).msg, "expression nested too deeply");
        assert!(Program::parse(&format!("{}x{}", "(".repeat(60), ")".repeat(60))).is_ok());
    }

    /// The built-in surfaces typed as formulas give the same values, gradients and Hessians.
    #[test]
    fn typed_builtins_match_the_analytic_surfaces() {
        let cases = [
            (SurfaceKind::Rosenbrock, "(1-x)^2 + 100*(y-x^2)^2"),
            (SurfaceKind::Beale, "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2"),
            (SurfaceKind::Himmelblau, "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"),
            (SurfaceKind::Valley, "0.5*(x*y - 1)^2"),
            (SurfaceKind::Saddle, "0.5*(x^2 - y^2)"),
        ];
        for (kind, src) in cases {
            let s = Surface::new(kind, 1.0, 0.0);
            let p = Program::parse(src).unwrap();
            for &(x, y) in &[(-1.2, 1.0), (0.3, -0.7), (2.5, 0.1), (-3.0, 2.0)] {
                let q = Vector2::new(x, y);
                let (val, g, h) = p.derivatives(x, y);
                let rel = |a: f64, b: f64| (a - b).abs() / (1.0 + b.abs());
                assert!(rel(val, s.value(q)) < 1e-13 && rel(p.value(x, y), s.value(q)) < 1e-13, "{kind:?} value");
                assert!(rel(g.x, s.grad(q).x) < 1e-13 && rel(g.y, s.grad(q).y) < 1e-13, "{kind:?} grad {g:?} vs {:?}", s.grad(q));
                let hs = s.hessian(q);
                for k in 0..4 {
                    assert!(rel(h[k], hs[k]) < 1e-12, "{kind:?} hessian {h} vs {hs}");
                }
            }
        }
    }

    /// Derivatives of every function against finite differences.
    #[test]
    fn every_function_differentiates_correctly() {
        for src in [
            "sin(x*y)",
            "cos(x + 2*y)",
            "tan(x/3 + y/5)",
            "exp(x - y^2)",
            "log(1 + x^2 + y^2)",
            "sqrt(2 + x*y)",
            "abs(x - 3*y)",
            "tanh(x*y)",
            "sinh(x - y)",
            "cosh(x/2 + y)",
            "atan(x*y)",
            "x^y",
            "min(x^2, y) + max(x, y^3)",
            "x/(1 + y^2)",
            "2^x * y^-2",
        ] {
            let p = Program::parse(src).unwrap();
            for &(x, y) in &[(0.4, 0.9), (1.3, -0.6), (-0.7, 1.4)] {
                if src == "x^y" && x <= 0.0 {
                    continue;
                }
                let h = 1e-5;
                let (_, g, hh) = p.derivatives(x, y);
                let fd = |dx: f64, dy: f64| p.value(x + dx, y + dy);
                let gx = (fd(h, 0.0) - fd(-h, 0.0)) / (2.0 * h);
                let gy = (fd(0.0, h) - fd(0.0, -h)) / (2.0 * h);
                assert!(
                    (g.x - gx).abs() < 1e-6 * (1.0 + gx.abs()) && (g.y - gy).abs() < 1e-6 * (1.0 + gy.abs()),
                    "{src} at ({x},{y}): {g:?} vs ({gx},{gy})"
                );
                let gxx = (p.derivatives(x + h, y).1.x - p.derivatives(x - h, y).1.x) / (2.0 * h);
                let gxy = (p.derivatives(x, y + h).1.x - p.derivatives(x, y - h).1.x) / (2.0 * h);
                let gyy = (p.derivatives(x, y + h).1.y - p.derivatives(x, y - h).1.y) / (2.0 * h);
                let tol = |a: f64| 1e-5 * (1.0 + a.abs());
                assert!(
                    (hh[(0, 0)] - gxx).abs() < tol(gxx) && (hh[(0, 1)] - gxy).abs() < tol(gxy) && (hh[(1, 1)] - gyy).abs() < tol(gyy),
                    "{src} hessian at ({x},{y}): {hh} vs {gxx} {gxy} {gyy}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Random token soup never panics or hangs the parser; whatever parses evaluates.
        #[test]
        fn random_token_strings_never_panic(toks in proptest::collection::vec(proptest::sample::select(vec![
            "x", "y", "1", "2.5", "1e3", "1e999", "nan", "inf", "pi", "e", "+", "-", "−", "*", "/", "^", "(", ")", ",", " ",
            "sin", "log", "sqrt", "min", "max", "abs", "(((", ")))", "--", "^^", "．", "＋", "é", "\u{0}", "1e", ".", "..",
        ]), 0..40)) {
            let s: String = toks.concat();
            if let Ok(p) = Program::parse(&s) {
                let _ = p.value(0.3, -1.7);
                let _ = p.derivatives(0.3, -1.7);
            }
        }

        /// Arbitrary Unicode never panics the parser.
        #[test]
        fn arbitrary_text_never_panics(s in "\\\\PC{0,80}") {
            let _ = Program::parse(&s);
        }

        /// Random well-formed trees parse, and their printed form evaluates to the same number.
        #[test]
        fn random_trees_round_trip(t in arb_tree(), x in -2.0f64..2.0, y in -2.0f64..2.0) {
            let p = Program::parse(&t.print()).unwrap();
            let (got, want) = (p.value(x, y), t.eval(x, y));
            prop_assert!(got == want || (got - want).abs() <= 1e-9 * (1.0 + want.abs()), "{}: {} vs {}", t.print(), got, want);
            // The tensor-grid evaluator agrees with the pointwise one bit for bit.
            let (cols, rows) = ([x, x + 0.5, -x], [y, 0.25 - y]);
            let grid = p.grid(&cols, &rows);
            for (k, g) in grid.iter().enumerate() {
                let one = p.value(cols[k % 3], rows[k / 3]);
                prop_assert!(g.to_bits() == one.to_bits() || (g.is_nan() && one.is_nan()), "{}: {} vs {}", t.print(), g, one);
            }
        }
    }

    #[derive(Clone, Debug)]
    enum T {
        X,
        Y,
        C(f64),
        Add(Box<T>, Box<T>),
        Sub(Box<T>, Box<T>),
        Mul(Box<T>, Box<T>),
        Sin(Box<T>),
        Neg(Box<T>),
    }

    impl T {
        fn print(&self) -> String {
            match self {
                T::X => "x".into(),
                T::Y => "y".into(),
                T::C(c) => format!("{c}"),
                T::Add(a, b) => format!("({} + {})", a.print(), b.print()),
                T::Sub(a, b) => format!("({} - {})", a.print(), b.print()),
                T::Mul(a, b) => format!("({} * {})", a.print(), b.print()),
                T::Sin(a) => format!("sin({})", a.print()),
                T::Neg(a) => format!("-({})", a.print()),
            }
        }
        fn eval(&self, x: f64, y: f64) -> f64 {
            match self {
                T::X => x,
                T::Y => y,
                T::C(c) => *c,
                T::Add(a, b) => a.eval(x, y) + b.eval(x, y),
                T::Sub(a, b) => a.eval(x, y) - b.eval(x, y),
                T::Mul(a, b) => a.eval(x, y) * b.eval(x, y),
                T::Sin(a) => a.eval(x, y).sin(),
                T::Neg(a) => -a.eval(x, y),
            }
        }
    }

    fn arb_tree() -> impl Strategy<Value = T> {
        let leaf = prop_oneof![Just(T::X), Just(T::Y), (0.1f64..10.0).prop_map(T::C)];
        leaf.prop_recursive(6, 48, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| T::Add(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| T::Sub(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| T::Mul(Box::new(a), Box::new(b))),
                inner.clone().prop_map(|a| T::Sin(Box::new(a))),
                inner.prop_map(|a| T::Neg(Box::new(a))),
            ]
        })
    }
}
