//! Sketches lab: a Bloom filter and a HyperLogLog fed the same items.
//!
//! Every item is hashed once to 64 bits (FNV-1a, SplitMix64 finalizer,
//! salted with the seed). The **Bloom filter** derives two hashes `a`, `b`
//! from it and sets bits `(a + i * b) mod m` for `i < k` (Kirsch and
//! Mitzenmacher, "Less hashing, same performance", 2006). The
//! **HyperLogLog** (Flajolet, Fusy, Gandouet, Meunier, 2007) uses the top `p`
//! bits as the register index and the position of the first 1 bit in the
//! rest as the rank; the estimate falls back to linear counting while it is
//! at most `2.5 * 2^p` and some register is still zero. With a 64-bit hash
//! the large-range correction of the 32-bit original is not needed.

use crate::params::{arg_u64, arity, by_time, int_param};
use crate::rng::{hash_str, mix64, Rng};
use crate::{Action, Frame, Lab, LabError, LabInfo, ParamInfo, RunSpec, Scenario};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const MAX_BITS: u64 = 65_536;
const MAX_ITEMS: u64 = 500_000;
const MAX_QUERIES: u64 = 1_000_000;
/// Registers are sent one by one up to this many (as hex); above, only the histogram.
const MAX_SENT_REGISTERS: usize = 4096;

/// The sketches lab, as the registry lists it.
pub(crate) struct Sketches;

impl Lab for Sketches {
    fn info(&self) -> LabInfo {
        info()
    }

    fn run(&self, spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
        run(spec)
    }
}

fn info() -> LabInfo {
    LabInfo {
        slug: "sketches".into(),
        title: "Bloom filters and HyperLogLog",
        summary: "Insert and query items: see which bits a Bloom filter sets, measure its false-positive rate \
                  against the formula, and watch HyperLogLog estimate the distinct count from a few registers.",
        params: vec![
            ParamInfo::number("m", "Bloom filter bits (0: size from expected_n and fp_rate; else 8..65536)", "0", 0.0, 65536.0),
            ParamInfo::number("k", "Bloom hash functions (0: the best k for m and expected_n)", "0", 0.0, 16.0),
            ParamInfo::number("expected_n", "Items you expect to insert (for sizing)", "1000", 1.0, 100000.0),
            ParamInfo::number("fp_rate", "Target false-positive rate (for sizing)", "0.01", 0.0001, 0.5),
            ParamInfo::number("p", "HyperLogLog precision: 2^p registers", "10", 4.0, 16.0),
        ],
        actions: vec![
            ("insert", "ITEM: insert one item (1-64 characters, no `:`)"),
            ("query", "ITEM: ask the Bloom filter about one item"),
            ("insert-random", "N: insert N new random items (1..=100000)"),
            ("query-random", "N: query N random items never inserted (1..=100000), to measure false positives"),
        ],
        default_steps: 1000,
        scenarios: vec![
            Scenario {
                title: "Sized for 1000, then overfilled",
                description: "A filter sized for 1000 items at 1%: insert 1000 and measure about 1% false \
                              positives. Insert 1000 more and measure again: the rate climbs far past the target.",
                params: vec![("expected_n", "1000"), ("fp_rate", "0.01")],
                seed: 1,
                actions: vec!["1:insert-random:1000", "2:query-random:10000", "3:insert-random:1000", "4:query-random:10000"],
            },
            Scenario {
                title: "Watch the bits",
                description: "A 64-bit filter with 3 hashes: insert a few words, then query. A query answers \
                              `no` as soon as one of its bits is 0; `maybe` can be wrong.",
                params: vec![("m", "64"), ("k", "3"), ("p", "4")],
                seed: 2,
                actions: vec![
                    "1:insert:apple", "2:insert:banana", "3:insert:cherry", "4:query:apple", "5:query:grape",
                    "6:insert-random:10", "7:query-random:100",
                ],
            },
            Scenario {
                title: "Counting 100,000 distinct items in 1 KiB",
                description: "HyperLogLog with 1024 registers estimates 100, 1000, 10000 and 100000 distinct \
                              items within a few percent. Inserting a duplicate never changes it.",
                params: vec![("p", "10")],
                seed: 3,
                actions: vec![
                    "1:insert-random:100", "2:insert-random:900", "3:insert-random:9000", "4:insert-random:90000",
                    "5:insert:apple", "6:insert:apple",
                ],
            },
            Scenario {
                title: "Too few registers",
                description: "With p = 4 (16 registers) the standard error is 26%: run it with a few seeds and \
                              watch the estimate wander.",
                params: vec![("p", "4")],
                seed: 4,
                actions: vec!["1:insert-random:100", "2:insert-random:900", "3:insert-random:9000"],
            },
        ],
    }
}

// ---------------------------------------------------------------------------
// Bloom filter
// ---------------------------------------------------------------------------

/// Bits for `n` items at false-positive rate `p`: `-n ln p / (ln 2)^2`.
pub fn bloom_bits(n: f64, p: f64) -> u64 {
    (-n * p.ln() / (std::f64::consts::LN_2 * std::f64::consts::LN_2)).ceil() as u64
}

/// The best number of hashes for `m` bits and `n` items: `(m / n) ln 2`.
pub fn bloom_k(m: u64, n: f64) -> u32 {
    ((m as f64 / n) * std::f64::consts::LN_2)
        .round()
        .clamp(1.0, 16.0) as u32
}

/// The expected false-positive rate `(1 - e^(-kn/m))^k`.
pub fn bloom_fp(m: u64, k: u32, n: u64) -> f64 {
    (1.0 - (-(f64::from(k)) * n as f64 / m as f64).exp()).powi(k as i32)
}

#[derive(Debug, Clone)]
pub struct Bloom {
    m: u64,
    k: u32,
    bits: Vec<u64>,
}

impl Bloom {
    pub fn new(m: u64, k: u32) -> Self {
        Bloom {
            m,
            k,
            bits: vec![0; m.div_ceil(64) as usize],
        }
    }

    /// The `k` bit positions of an item hash (double hashing).
    pub fn positions(&self, h: u64) -> Vec<u64> {
        let a = mix64(h ^ 0xA076_1D64_78BD_642F) % self.m;
        let b = (mix64(h ^ 0xE703_7ED1_A0B4_28DB) % self.m).max(1);
        (0..u64::from(self.k))
            .map(|i| (a + i * b) % self.m)
            .collect()
    }

    fn get(&self, i: u64) -> bool {
        self.bits[(i / 64) as usize] >> (i % 64) & 1 == 1
    }

    /// Sets the item's bits; returns how many were 0 before.
    pub fn insert(&mut self, h: u64) -> usize {
        let mut fresh = 0;
        for i in self.positions(h) {
            fresh += usize::from(!self.get(i));
            self.bits[(i / 64) as usize] |= 1 << (i % 64);
        }
        fresh
    }

    /// "Maybe present" when every bit of the item is set.
    pub fn contains(&self, h: u64) -> bool {
        self.positions(h).into_iter().all(|i| self.get(i))
    }

    fn set_bits(&self) -> u64 {
        self.bits.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// One hex digit per 4 bits; digit `j` holds bits `4j..4j+3`, bit `4j`
    /// as its most significant bit (so the string reads left to right).
    fn hex(&self) -> String {
        (0..self.m.div_ceil(4))
            .map(|j| {
                let d = (0..4).fold(0u32, |d, b| {
                    let i = 4 * j + b;
                    (d << 1) | u32::from(i < self.m && self.get(i))
                });
                char::from_digit(d, 16).unwrap_or('0')
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// HyperLogLog
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Hll {
    p: u32,
    regs: Vec<u8>,
}

impl Hll {
    pub fn new(p: u32) -> Self {
        Hll {
            p,
            regs: vec![0; 1 << p],
        }
    }

    /// `(register index, rank)` of an item hash.
    pub fn split(&self, h: u64) -> (usize, u8) {
        let idx = (h >> (64 - self.p)) as usize;
        let w = h << self.p;
        let rank = if w == 0 {
            64 - self.p + 1
        } else {
            w.leading_zeros() + 1
        };
        (idx, rank as u8)
    }

    /// Adds an item hash; returns `(index, rank, old register value)`.
    pub fn insert(&mut self, h: u64) -> (usize, u8, u8) {
        let (i, r) = self.split(h);
        let old = self.regs[i];
        self.regs[i] = old.max(r);
        (i, r, old)
    }

    /// `(estimate, raw estimate, used linear counting)`.
    pub fn estimate(&self) -> (f64, f64, bool) {
        let m = self.regs.len() as f64;
        let alpha = match self.regs.len() {
            16 => 0.673,
            32 => 0.697,
            64 => 0.709,
            _ => 0.7213 / (1.0 + 1.079 / m),
        };
        let z: f64 = self.regs.iter().map(|&r| (-f64::from(r)).exp2()).sum();
        let raw = alpha * m * m / z;
        let zeros = self.regs.iter().filter(|&&r| r == 0).count();
        if raw <= 2.5 * m && zeros > 0 {
            (m * (m / zeros as f64).ln(), raw, true)
        } else {
            (raw, raw, false)
        }
    }

    /// The standard error `1.04 / sqrt(2^p)`.
    pub fn std_error(&self) -> f64 {
        1.04 / (self.regs.len() as f64).sqrt()
    }
}

// ---------------------------------------------------------------------------
// The lab
// ---------------------------------------------------------------------------

enum Op {
    Insert(String),
    Query(String),
    InsertRandom(u64),
    QueryRandom(u64),
}

fn parse(a: &Action) -> Result<Op, LabError> {
    let item = |a: &Action| -> Result<String, LabError> {
        arity(a, 1, 1, &format!("TIME:{}:ITEM", a.kind))?;
        let s = &a.args[0];
        if s.is_empty() || s.chars().count() > 64 || s.chars().any(char::is_control) {
            return Err(LabError::BadAction(format!(
                "`{a}`: ITEM must be 1-64 printable characters"
            )));
        }
        Ok(s.clone())
    };
    match a.kind.as_str() {
        "insert" => Ok(Op::Insert(item(a)?)),
        "query" => Ok(Op::Query(item(a)?)),
        "insert-random" | "query-random" => {
            arity(a, 1, 1, &format!("TIME:{}:N", a.kind))?;
            let n = arg_u64(a, 0, "N", 1, 100_000)?;
            Ok(if a.kind == "insert-random" {
                Op::InsertRandom(n)
            } else {
                Op::QueryRandom(n)
            })
        }
        _ => Err(LabError::BadAction(format!(
            "`{a}`: unknown action for sketches"
        ))),
    }
}

/// The two sketches and what the run has put in them.
struct Sketchbook {
    salt: u64,
    rng: Rng,
    bloom: Bloom,
    hll: Hll,
    items: BTreeSet<String>,
    negatives: u64,
    false_positives: u64,
    true_positives: u64,
}

impl Sketchbook {
    fn insert(&mut self, item: &str) -> Value {
        let h = hash_str(item, self.salt);
        let positions = self.bloom.positions(h);
        let fresh = self.bloom.insert(h);
        let (reg, rank, old) = self.hll.insert(h);
        let duplicate = !self.items.insert(item.to_string());
        json!({"op": "insert", "item": item, "positions": positions, "new_bits": fresh, "duplicate": duplicate,
               "register": reg, "rank": rank, "register_before": old})
    }

    fn query(&mut self, item: &str) -> Value {
        let h = hash_str(item, self.salt);
        let maybe = self.bloom.contains(h);
        let present = self.items.contains(item);
        if present {
            self.true_positives += 1;
        } else {
            self.negatives += 1;
            self.false_positives += u64::from(maybe);
        }
        json!({"op": "query", "item": item, "positions": self.bloom.positions(h),
               "answer": if maybe { "maybe" } else { "no" }, "present": present,
               "false_positive": maybe && !present})
    }

    fn apply(&mut self, op: &Op, at: &Action) -> Result<(Value, String), LabError> {
        match op {
            Op::Insert(item) => {
                let last = self.insert(item);
                let explain = if last["duplicate"] == true {
                    format!("Inserted {item} again: its bits and register are already set, nothing changes.")
                } else {
                    format!(
                        "Inserted {item}: bits {} set ({} newly); HLL register {} sees rank {} (was {}).",
                        join(&last["positions"]),
                        last["new_bits"],
                        last["register"],
                        last["rank"],
                        last["register_before"]
                    )
                };
                Ok((last, explain))
            }
            Op::Query(item) => {
                let last = self.query(item);
                let explain = match (last["answer"] == "maybe", last["present"] == true) {
                    (false, _) => format!(
                        "Query {item}: a bit among {} is 0, so definitely absent.",
                        join(&last["positions"])
                    ),
                    (true, true) => format!(
                        "Query {item}: bits {} all set: maybe present (it is).",
                        join(&last["positions"])
                    ),
                    (true, false) => format!(
                        "Query {item}: bits {} all set by other items: a false positive.",
                        join(&last["positions"])
                    ),
                };
                Ok((last, explain))
            }
            Op::InsertRandom(n) => {
                if self.items.len() as u64 + n > MAX_ITEMS {
                    return Err(LabError::BadAction(format!(
                        "`{at}`: at most {MAX_ITEMS} items in all"
                    )));
                }
                let mut last = Value::Null;
                for _ in 0..*n {
                    let item = format!("item-{:016x}", self.rng.next_u64());
                    last = self.insert(&item);
                }
                last["batch"] = json!(n);
                let (est, _, _) = self.hll.estimate();
                let truth = self.items.len();
                let explain = format!(
                    "Inserted {n} random items: the Bloom filter is {:.1}% full; HLL estimates {:.0} distinct vs {truth} true ({:+.1}%).",
                    100.0 * self.bloom.set_bits() as f64 / self.bloom.m as f64,
                    est,
                    100.0 * (est - truth as f64) / truth as f64
                );
                Ok((last, explain))
            }
            Op::QueryRandom(n) => {
                if self.negatives + self.true_positives + n > MAX_QUERIES {
                    return Err(LabError::BadAction(format!(
                        "`{at}`: at most {MAX_QUERIES} queries in all"
                    )));
                }
                let before = self.false_positives;
                let mut last = Value::Null;
                for _ in 0..*n {
                    let item = format!("probe-{:016x}", self.rng.next_u64());
                    last = self.query(&item);
                }
                last["batch"] = json!(n);
                let fp = self.false_positives - before;
                let formula = bloom_fp(self.bloom.m, self.bloom.k, self.items.len() as u64);
                let explain = format!(
                    "Queried {n} random items never inserted: {fp} false positives ({:.2}%; the formula predicts {:.2}%).",
                    100.0 * fp as f64 / *n as f64,
                    100.0 * formula
                );
                Ok((last, explain))
            }
        }
    }

    fn state(&self, last: Value) -> Value {
        let n = self.items.len() as u64;
        let set = self.bloom.set_bits();
        let fill = set as f64 / self.bloom.m as f64;
        let (est, raw, linear) = self.hll.estimate();
        let max_rank = 64 - self.hll.p as usize + 1;
        let mut histogram = vec![0u32; max_rank + 1];
        for &r in &self.hll.regs {
            histogram[r as usize] += 1;
        }
        let registers = (self.hll.regs.len() <= MAX_SENT_REGISTERS).then(|| {
            self.hll
                .regs
                .iter()
                .map(|r| format!("{r:02x}"))
                .collect::<String>()
        });
        json!({
            "bloom": {
                "m": self.bloom.m,
                "k": self.bloom.k,
                "n": n,
                "bits": self.bloom.hex(),
                "set_bits": set,
                "fill": fill,
                "negatives_queried": self.negatives,
                "false_positives": self.false_positives,
                "true_positives": self.true_positives,
                "measured_fp": (self.negatives > 0).then(|| self.false_positives as f64 / self.negatives as f64),
                "formula_fp": bloom_fp(self.bloom.m, self.bloom.k, n),
                "fill_fp": fill.powi(self.bloom.k as i32),
            },
            "hll": {
                "p": self.hll.p,
                "m": self.hll.regs.len(),
                "registers": registers,
                "histogram": histogram,
                "zero_registers": histogram[0],
                "raw_estimate": raw,
                "estimate": est,
                "method": if linear { "linear-counting" } else { "harmonic-mean" },
                "true_count": n,
                "relative_error": if n > 0 { (est - n as f64) / n as f64 } else { 0.0 },
                "std_error": self.hll.std_error(),
            },
            "last": last,
        })
    }
}

fn join(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn run(spec: &RunSpec) -> Result<Vec<Frame>, LabError> {
    let info = info();
    let mut m = int_param(spec, &info, "m")?;
    let k = int_param(spec, &info, "k")?;
    let expected = int_param(spec, &info, "expected_n")? as f64;
    let fp_rate = spec.num(&info, "fp_rate");
    let p = int_param(spec, &info, "p")? as u32;
    if (1..8).contains(&m) {
        return Err(LabError::BadParam {
            name: "m".into(),
            message: "use 0 (auto) or at least 8 bits".into(),
        });
    }
    let sized = m == 0;
    if sized {
        m = bloom_bits(expected, fp_rate).clamp(8, MAX_BITS);
    }
    let k = if k == 0 {
        bloom_k(m, expected)
    } else {
        k as u32
    };
    let actions = by_time(&spec.actions);
    let ops: Vec<Op> = actions.iter().map(|a| parse(a)).collect::<Result<_, _>>()?;
    let mut lab = Sketchbook {
        salt: spec.seed,
        rng: Rng::new(spec.seed),
        bloom: Bloom::new(m, k),
        hll: Hll::new(p),
        items: BTreeSet::new(),
        negatives: 0,
        false_positives: 0,
        true_positives: 0,
    };
    let sizing = if sized {
        format!("sized for {expected} items at {fp_rate}: ")
    } else {
        String::new()
    };
    let limit = spec.steps_or(info.default_steps);
    let mut frames = vec![Frame {
        step: 0,
        time: 0,
        explain: format!("Empty Bloom filter ({sizing}m = {m} bits, k = {k}) and HyperLogLog with 2^{p} registers."),
        state: lab.state(Value::Null),
    }];
    for (a, op) in actions.iter().zip(&ops) {
        if frames.len() >= limit {
            break;
        }
        let (last, explain) = lab.apply(op, a)?;
        frames.push(Frame {
            step: frames.len(),
            time: a.at,
            explain,
            state: lab.state(last),
        });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_has_no_false_negatives() {
        let mut b = Bloom::new(1000, 5);
        let hs: Vec<u64> = (0..200).map(|i| hash_str(&format!("x{i}"), 1)).collect();
        for &h in &hs {
            b.insert(h);
        }
        assert!(hs.iter().all(|&h| b.contains(h)));
        assert_eq!(b.hex().len(), 250);
    }

    #[test]
    fn hex_is_msb_first() {
        let mut b = Bloom::new(8, 1);
        b.bits[0] = 0b1000_0001; // bits 0 and 7
        assert_eq!(b.hex(), "81");
    }

    #[test]
    fn sizing_formulas() {
        assert_eq!(bloom_bits(1000.0, 0.01), 9586);
        assert_eq!(bloom_k(9586, 1000.0), 7);
        assert!((bloom_fp(9586, 7, 1000) - 0.01).abs() < 0.0005);
    }

    #[test]
    fn hll_rank() {
        let h = Hll::new(4);
        assert_eq!(h.split(0xF000_0000_0000_0000), (15, 61));
        assert_eq!(h.split(0x0800_0000_0000_0000), (0, 1));
        assert_eq!(h.split(0x0400_0000_0000_0000), (0, 2));
        assert_eq!(Hll::new(10).estimate().0, 0.0);
    }
}
