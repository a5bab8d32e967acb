//! The counts of a prepared layer's forward pass (docs/design.md#prepared-layers).
//!
//! `counts[b, o] = Σ_i #{ j < k[o, i] : states[i, j] < thresholds[b, i] }`:
//! input `i`'s bits laid out in the layer's order (the states, compared with
//! the input's threshold), of which weight `(o, i)` keeps the first
//! `k[o, i]`. One parallel region of the engine's threads, by blocks of
//! inputs (so the threads meet once per call, and a block's table is still
//! in cache when it is read); each task
//!
//! 1. builds its block's **table**: the states are compared with the
//!    threshold(s) and packed into words, each stored with the count of the
//!    set bits before it;
//! 2. does its block's **lookups** (the table stays in cache while every
//!    output row reads it), adding into an accumulator of its own:
//!    `(o, i)`'s count is the prefix stored with the word that holds bit
//!    `k`, plus the popcount of that word's bits below `k`.
//!
//! Two table layouts:
//!
//! * **Cells** (a single input row, streams of at most 65536 bits): per
//!   input, one u32 per 16 bits, `prefix << 16 | word`. One lookup is one
//!   cell; the AVX-512 tier transposes 16 x 16 tiles of `k` in registers and
//!   picks sixteen output rows' cells of one input at once by permutes
//!   within that input's table, AVX2 gathers eight inputs' cells of one
//!   output row (`crate::arch::CellLookup`).
//! * **Pairs** (a batch, or longer streams): per input, `nw + 1` cells of
//!   `(word, prefix)` pairs of u64 for each batch row side by side, so one
//!   `(o, i)` is a few vector loads, ANDs, popcounts and adds for the whole
//!   batch; a single row longer than 65536 bits sums eight inputs at a time
//!   where the tier gathers (`crate::arch::PrefixLookup`).
//!
//! The counts are exact integers, so the result does not depend on the
//! layout, the tier or the thread count.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::arch::{CellGeometry, Dispatch, Kernel, Token};
use crate::error::{EngineError, Result, Zeroable, try_zeroed};
use crate::scratch::Scratch;
use crate::simd::{Tier, active_tier};
use crate::threads;
use crate::validate;

/// Below this much work (compared states plus looked-up cells times the
/// batch) everything runs on the calling thread.
const PARALLEL_WORK: usize = 1 << 16;

/// A threshold that sets every bit (it exceeds every 16-bit state).
pub const ALWAYS: i64 = 65536;

/// Batch rows of a pairs cell are padded to a multiple of this (the widest
/// tier's lanes), so every tier loads whole vectors.
const ROW_PAD: usize = 8;

/// Vectors of batch rows accumulated in registers at a time.
const ACC_VECTORS: usize = 4;

/// Table bytes of the block of inputs a task builds and looks up at a time
/// (512 KiB: well inside L2).
const LOOKUP_BLOCK_BYTES: usize = 1 << 19;

/// A single input row with streams up to this long uses the cell layout
/// (its prefixes fit 16 bits).
const CELL_MAX_LENGTH: usize = 65536;

/// Output rows of one cell lookup call (one tile of `k`).
const CELL_ROWS: usize = 16;

/// The pairs tables, kept between calls.
static PAIRS: Scratch<u64> = Scratch::new("the ordered bits");

/// The cell tables, kept between calls.
static CELLS: Scratch<u32> = Scratch::new("the ordered bits");

/// Validated dimensions of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreparedDims {
    /// Output neurons (rows of `k`).
    pub n_out: usize,
    /// Inputs (columns of `k`, rows of `states` and columns of `thresholds`).
    pub n_in: usize,
    /// Stream length in bits (columns of `states`).
    pub length: usize,
    /// Batch rows (rows of `thresholds`).
    pub batch: usize,
}

/// The operands of [`prepared_counts`], each a row-major array and its shape.
#[derive(Debug, Clone, Copy)]
pub struct PreparedOperands<'a> {
    /// `(n_out, n_in)`, each `<= length`.
    pub k: &'a [u32],
    /// The shape of `k`.
    pub k_shape: &'a [usize],
    /// `(n_in, length)`: each input's states in the layer's order.
    pub states: &'a [u16],
    /// The shape of `states`.
    pub s_shape: &'a [usize],
    /// `(batch, n_in)`, each in `[0, 65536]`.
    pub thresholds: &'a [i64],
    /// The shape of `thresholds`.
    pub t_shape: &'a [usize],
}

/// A call's operands after validation.
#[derive(Debug, Clone, Copy)]
struct Operands<'a> {
    k: &'a [u32],
    states: &'a [u16],
    thresholds: &'a [i64],
    dims: PreparedDims,
}

/// Input `i`'s states of window `w` (bits `64w .. 64w + 64`): a slice of
/// `row`, or for the last, short window a copy in `pad` filled past `length`
/// with 0xFFFF, which no threshold up to 65535 exceeds.
#[inline(always)]
fn window<'r>(row: &'r [u16], w: usize, pad: &'r mut [u16; 64]) -> &'r [u16] {
    if (w + 1) * 64 <= row.len() {
        &row[w * 64..(w + 1) * 64]
    } else {
        pad.fill(u16::MAX);
        pad[..row.len() - w * 64].copy_from_slice(&row[w * 64..]);
        &pad[..]
    }
}

/// The bits of window `w` of `nw` for threshold `x`: `all` (every bit inside
/// the stream) when `x` sets every bit, else the compare's mask.
#[inline(always)]
fn window_bits<T: Token>(cmp: T, src: &[u16], x: i64, all: u64) -> u64 {
    if x >= ALWAYS {
        all
    } else {
        cmp.mask_once(src, x as u16)
    }
}

/// The bits inside a stream of `length` bits of window `w` of `nw`.
#[inline(always)]
fn inside(length: usize, w: usize, nw: usize) -> u64 {
    match (w + 1 == nw, length % 64) {
        (true, r) if r != 0 => (1u64 << r) - 1,
        _ => u64::MAX,
    }
}

/// A table layout: how a block of inputs' table is built and read.
trait Layout: Copy + Sync {
    /// The table's element.
    type Elem: Zeroable + Send + 'static;
    /// The tables kept between calls.
    fn scratch() -> &'static Scratch<Self::Elem>;
    /// Elements of one input's table.
    fn per_input(self) -> usize;
    /// Accumulator rows per output row (the batch, padded).
    fn acc_rows(self) -> usize;
    /// Builds the tables of inputs `i0 ..` into `out` (whole tables).
    fn build(self, d: Dispatch, ops: Operands<'_>, i0: usize, out: &mut [Self::Elem]);
    /// Adds the counts of inputs `inputs` (their tables in `part`) of every
    /// output row into `acc` (`acc_rows` per output row).
    fn look_up(
        self,
        d: Dispatch,
        ops: Operands<'_>,
        inputs: (usize, usize),
        part: &[Self::Elem],
        acc: &mut [u64],
    );
}

/// The pairs layout: per input, `nw + 1` cells of `2 * rows` words, the
/// words of batch rows `0..rows` then their prefixes.
#[derive(Debug, Clone, Copy)]
struct Pairs {
    /// Words per stream, `ceil(length / 64)`.
    nw: usize,
    /// Batch rows per cell: 1 for a single row, else the batch padded to
    /// [`ROW_PAD`] (padding rows hold zeros).
    rows: usize,
}

impl Pairs {
    fn new(dims: PreparedDims) -> Pairs {
        let rows = if dims.batch == 1 {
            1
        } else {
            dims.batch.next_multiple_of(ROW_PAD)
        };
        Pairs {
            nw: dims.length.div_ceil(64),
            rows,
        }
    }

    /// Offset of input `i`'s cell for a prefix of `k` bits.
    #[inline(always)]
    fn cell(self, i: usize, k: usize) -> usize {
        (i * (self.nw + 1) + k / 64) * 2 * self.rows
    }
}

impl Layout for Pairs {
    type Elem = u64;
    fn scratch() -> &'static Scratch<u64> {
        &PAIRS
    }
    fn per_input(self) -> usize {
        (self.nw + 1) * 2 * self.rows
    }
    fn acc_rows(self) -> usize {
        self.rows
    }
    fn build(self, d: Dispatch, ops: Operands<'_>, i0: usize, out: &mut [u64]) {
        d.run(BuildPairs {
            ops,
            table: self,
            i0,
            out,
        });
    }
    fn look_up(
        self,
        d: Dispatch,
        ops: Operands<'_>,
        inputs: (usize, usize),
        part: &[u64],
        acc: &mut [u64],
    ) {
        d.run(PairLookups {
            ops,
            table: self,
            inputs,
            bits: part,
            acc,
        });
    }
}

/// Mask of the low `k % 64` bits.
#[inline(always)]
fn low_bits(k: usize) -> u64 {
    (1u64 << (k % 64)) - 1
}

/// Builds the pairs tables of inputs `i0..i0 + n` into `out` (their `n`
/// tables).
struct BuildPairs<'a, 'o> {
    ops: Operands<'a>,
    table: Pairs,
    i0: usize,
    out: &'o mut [u64],
}

impl Kernel for BuildPairs<'_, '_> {
    type Output = ();
    /// (Indices are bounds-checked.)
    #[inline(always)]
    fn run<T: Token>(self, cmp: T) {
        let (dims, table) = (self.ops.dims, self.table);
        let (nw, rows, len) = (table.nw, table.rows, dims.length);
        let mut pad = [0u16; 64];
        let mut prefix = vec![0u64; dims.batch];
        for (r, cells) in self.out.chunks_exact_mut(table.per_input()).enumerate() {
            let i = self.i0 + r;
            let row = &self.ops.states[i * len..(i + 1) * len];
            prefix.fill(0);
            for w in 0..nw {
                let all = inside(len, w, nw);
                let src = window(row, w, &mut pad);
                let cell = &mut cells[w * 2 * rows..(w + 1) * 2 * rows];
                if dims.batch == 1 {
                    let bits = window_bits(cmp, src, self.ops.thresholds[i], all);
                    cell[0] = bits;
                    cell[1] = prefix[0];
                    prefix[0] += u64::from(bits.count_ones());
                    continue;
                }
                let win = cmp.load_window(src);
                let (words, prefixes) = cell.split_at_mut(rows);
                words[dims.batch..].fill(0);
                prefixes[dims.batch..].fill(0);
                for b in 0..dims.batch {
                    let x = self.ops.thresholds[b * dims.n_in + i];
                    let bits = if x >= ALWAYS {
                        all
                    } else {
                        cmp.mask(win, x as u16)
                    };
                    words[b] = bits;
                    prefixes[b] = prefix[b];
                    prefix[b] += u64::from(bits.count_ones());
                }
            }
            // The last cell: no word, the total (a prefix of all `length` bits).
            let last = &mut cells[nw * 2 * rows..];
            last.fill(0);
            last[rows..rows + dims.batch].copy_from_slice(&prefix);
        }
    }
}

/// The counts over inputs `i0..i1` in the pairs layout, for every output
/// row, added into `acc[o * rows + b]` (`rows` batch rows per output,
/// padded). A single input row is one [`PrefixLookup::prefix_sum`] per
/// output row; a batch is a few vectors of batch rows per `(o, i)`.
///
/// [`PrefixLookup::prefix_sum`]: crate::arch::PrefixLookup::prefix_sum
struct PairLookups<'a, 'o> {
    ops: Operands<'a>,
    table: Pairs,
    inputs: (usize, usize),
    /// The tables of inputs `i0..i1`.
    bits: &'a [u64],
    acc: &'o mut [u64],
}

impl Kernel for PairLookups<'_, '_> {
    type Output = ();
    /// (Indices are bounds-checked; `k <= length` keeps every cell inside
    /// the table.)
    #[inline(always)]
    fn run<T: Token>(self, t: T) {
        let (table, bits, n_in, k) = (self.table, self.bits, self.ops.dims.n_in, self.ops.k);
        let (i0, i1) = self.inputs;
        let stride = table.per_input();
        let cells = &bits[..(i1 - i0) * stride];
        if table.rows == 1 {
            for (o, acc) in self.acc.iter_mut().enumerate() {
                *acc += t.prefix_sum(&k[o * n_in + i0..o * n_in + i1], cells, stride);
            }
            return;
        }
        let (rows, lanes) = (table.rows, T::LANES);
        for (o, accs) in self.acc.chunks_exact_mut(rows).enumerate() {
            let ks = &k[o * n_in + i0..o * n_in + i1];
            let mut b0 = 0;
            while b0 < rows {
                let nv = ((rows - b0) / lanes).min(ACC_VECTORS);
                let mut sums = [t.zero(); ACC_VECTORS];
                for (v, s) in sums.iter_mut().enumerate().take(nv) {
                    *s = t.load(&accs[b0 + v * lanes..]);
                }
                for (i, &k) in (0..i1 - i0).zip(ks) {
                    let k = k as usize;
                    let at = table.cell(i, k) + b0;
                    let cell = &bits[at..at + rows + nv * lanes];
                    let mask = t.splat(low_bits(k));
                    for (v, s) in sums.iter_mut().enumerate().take(nv) {
                        let counted = t.and_pop_add(*s, t.load(&cell[v * lanes..]), mask);
                        *s = t.add(counted, t.load(&cell[rows + v * lanes..]));
                    }
                }
                for (v, s) in sums.iter().enumerate().take(nv) {
                    t.store(*s, &mut accs[b0 + v * lanes..]);
                }
                b0 += nv * lanes;
            }
        }
    }
}

/// The cell layout of a single input row (see the module docs).
#[derive(Debug, Clone, Copy)]
struct Cells(CellGeometry);

impl Layout for Cells {
    type Elem = u32;
    fn scratch() -> &'static Scratch<u32> {
        &CELLS
    }
    fn per_input(self) -> usize {
        self.0.stride
    }
    fn acc_rows(self) -> usize {
        1
    }
    fn build(self, d: Dispatch, ops: Operands<'_>, i0: usize, out: &mut [u32]) {
        d.run(BuildCells {
            ops,
            g: self.0,
            i0,
            out,
        });
    }
    fn look_up(
        self,
        d: Dispatch,
        ops: Operands<'_>,
        inputs: (usize, usize),
        part: &[u32],
        acc: &mut [u64],
    ) {
        d.run(CellLookups {
            ops,
            g: self.0,
            inputs,
            cells: part,
            acc,
        });
    }
}

/// Builds the cell tables of inputs `i0..i0 + n` into `out` (their `n`
/// tables), sixteen cells (four windows of 64 states) at a time; the cells
/// past `n_cells` hold no bits.
struct BuildCells<'a, 'o> {
    ops: Operands<'a>,
    g: CellGeometry,
    i0: usize,
    out: &'o mut [u32],
}

impl Kernel for BuildCells<'_, '_> {
    type Output = ();
    /// (Indices are bounds-checked.)
    #[inline(always)]
    fn run<T: Token>(self, t: T) {
        let (g, len) = (self.g, self.ops.dims.length);
        let nw = len.div_ceil(64);
        let mut pad = [0u16; 64];
        for (r, cells) in self.out.chunks_exact_mut(g.stride).enumerate() {
            let i = self.i0 + r;
            let row = &self.ops.states[i * len..(i + 1) * len];
            let x = self.ops.thresholds[i];
            // At most 65536 bits, so every prefix of a cell below n_cells
            // fits 16 bits.
            let mut prefix = 0u32;
            for (group, sixteen) in cells.chunks_exact_mut(16).enumerate() {
                let mut words = [0u64; 4];
                for (j, word) in words.iter_mut().enumerate() {
                    let w = 4 * group + j;
                    if w < nw {
                        *word = window_bits(t, window(row, w, &mut pad), x, inside(len, w, nw));
                    }
                }
                prefix = t.cells_of(words, prefix, sixteen);
            }
        }
    }
}

/// The counts over inputs `i0..i1` in the cell layout, for every output
/// row, added into `acc[o]`: one [`CellLookup::cell_sums`] per sixteen
/// output rows.
///
/// [`CellLookup::cell_sums`]: crate::arch::CellLookup::cell_sums
struct CellLookups<'a, 'o> {
    ops: Operands<'a>,
    g: CellGeometry,
    inputs: (usize, usize),
    /// The tables of inputs `i0..i1`.
    cells: &'a [u32],
    acc: &'o mut [u64],
}

impl Kernel for CellLookups<'_, '_> {
    type Output = ();
    /// (Indices are bounds-checked.)
    #[inline(always)]
    fn run<T: Token>(self, t: T) {
        let (n_in, k) = (self.ops.dims.n_in, self.ops.k);
        let (i0, i1) = self.inputs;
        let cells = &self.cells[..(i1 - i0) * self.g.stride];
        for (tile, accs) in self.acc.chunks_mut(CELL_ROWS).enumerate() {
            let o0 = tile * CELL_ROWS;
            t.cell_sums(&k[o0 * n_in + i0..], n_in, accs.len(), cells, self.g, accs);
        }
    }
}

/// The one parallel region: blocks of inputs (their tables fit L2; at least
/// four blocks per thread where there are inputs enough). A task builds its
/// block's table into its own part of `table` and at once looks every
/// output row up in it while it is in cache, adding into an accumulator of
/// its own for the whole call, so the table and `k` are read once and the
/// threads meet once per call; the accumulators are summed at the end.
/// Returns the counts `(batch, n_out)`, or `None` when a task found a count
/// of `k` above the length (it checks its block of `k` before the lookups).
fn build_and_look_up<L: Layout>(
    dispatch: Dispatch,
    ops: Operands<'_>,
    layout: L,
    table: &mut [L::Elem],
    threads: usize,
) -> Result<Option<Vec<u64>>> {
    let PreparedDims {
        n_out,
        n_in,
        batch,
        length,
    } = ops.dims;
    let rows = layout.acc_rows();
    let acc_len = validate::checked_size(n_out, rows, "k")?;
    // One accumulator per thread, taken by a task and given back after it;
    // a task that finds none (the pool grew during the call) makes one.
    let mut kept = Vec::with_capacity(threads);
    for _ in 0..threads {
        kept.push(try_zeroed::<u64>(acc_len, "the counts")?);
    }
    let spare = Mutex::new(kept);
    let out_of_memory = AtomicBool::new(false);
    let k_too_big = AtomicBool::new(false);
    let per_input = layout.per_input();
    let input_bytes = per_input.saturating_mul(std::mem::size_of::<L::Elem>());
    let by_size = (LOOKUP_BLOCK_BYTES / input_bytes.max(1)).max(1);
    let block = if threads <= 1 {
        by_size
    } else {
        by_size.min(threads::chunk_len(n_in, threads * 4))
    };
    // Each block's part of the table, taken by exactly one task (the locks
    // are never contended: they only hand a task its own part).
    let parts: Vec<Mutex<&mut [L::Elem]>> = table
        .chunks_mut(block * per_input)
        .map(Mutex::new)
        .collect();
    threads::for_each_task(threads > 1, parts.len(), |blk| {
        threads::check_interrupt();
        let mut part = parts[blk].lock().unwrap_or_else(|p| p.into_inner());
        let i0 = blk * block;
        layout.build(dispatch, ops, i0, &mut part);
        let taken = spare.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let Some(mut acc) = taken.or_else(|| try_zeroed::<u64>(acc_len, "the counts").ok()) else {
            out_of_memory.store(true, Ordering::Relaxed);
            return;
        };
        let inputs = (i0, (i0 + block).min(n_in));
        // The block's counts are checked before any is used as an index.
        let block_max = dispatch.run(MaxOfColumns {
            k: ops.k,
            n_in,
            cols: inputs,
        });
        if block_max as usize > length {
            k_too_big.store(true, Ordering::Relaxed);
        } else {
            layout.look_up(dispatch, ops, inputs, &part, &mut acc);
        }
        spare.lock().unwrap_or_else(|p| p.into_inner()).push(acc);
    });
    if out_of_memory.load(Ordering::Relaxed) {
        return Err(EngineError::Memory {
            what: "the counts",
            bytes: acc_len.saturating_mul(8),
        });
    }
    if k_too_big.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let accs = spare.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut counts = try_zeroed::<u64>(batch * n_out, "the counts")?;
    for acc in &accs {
        for (o, row) in acc.chunks_exact(rows).enumerate() {
            for (b, &c) in row[..batch].iter().enumerate() {
                counts[b * n_out + o] += c;
            }
        }
    }
    Ok(Some(counts))
}

/// The largest count in columns `cols.0..cols.1` of every row of `k`
/// (`n_in > 0` counts per row; 0 for none), compiled for the call's tier.
struct MaxOfColumns<'a> {
    k: &'a [u32],
    n_in: usize,
    cols: (usize, usize),
}

impl Kernel for MaxOfColumns<'_> {
    type Output = u32;
    #[inline(always)]
    fn run<T: Token>(self, t: T) -> u32 {
        let (i0, i1) = self.cols;
        self.k
            .chunks_exact(self.n_in)
            .map(|row| MaxOf(&row[i0..i1]).run(t))
            .fold(0, u32::max)
    }
}

/// The largest of some counts (0 for none), compiled for the call's tier.
struct MaxOf<'a>(&'a [u32]);

impl Kernel for MaxOf<'_> {
    type Output = u32;
    #[inline(always)]
    fn run<T: Token>(self, _t: T) -> u32 {
        self.0.iter().copied().fold(0, u32::max)
    }
}

/// Runs [`build_and_look_up`] in `layout`, with its table from (and given
/// back to) the layout's scratch: `None` when a count of `k` exceeds the length.
fn run_layout<L: Layout>(
    dispatch: Dispatch,
    ops: Operands<'_>,
    layout: L,
    threads: usize,
) -> Result<Option<Vec<u64>>> {
    // Every element of the table is written before it is read.
    let table_len = validate::checked_size(ops.dims.n_in, layout.per_input(), "states")?;
    let mut kept = L::scratch().take(table_len)?;
    let counts = build_and_look_up(dispatch, ops, layout, &mut kept[..table_len], threads);
    L::scratch().give_back(kept);
    counts
}

/// [`prepared_counts`] on SIMD tier `tier` (portable if the CPU lacks it):
/// the counts `(batch, n_out)` row-major and the dims.
pub fn prepared_counts_with(
    tier: Tier,
    operands: PreparedOperands<'_>,
) -> Result<(Vec<u64>, PreparedDims)> {
    let dispatch = Dispatch::new(tier);
    // k's range is checked by each lookup task on the block of k it is about
    // to read (k is read once, by both threads, instead of once more up
    // front by the caller: 13 us of W1's 58); every refusal is worded by the
    // full check, so the first problem named is the same either way.
    let refusal = || validate::prepared_args(&operands, |k| dispatch.run(MaxOf(k))).err();
    let dims = match validate::prepared_args_but_k_range(&operands) {
        Ok(dims) => dims,
        Err(e) => return Err(refusal().unwrap_or(e)),
    };
    let PreparedDims {
        n_out,
        n_in,
        length,
        batch,
    } = dims;
    let rows = if batch == 1 {
        1
    } else {
        batch.next_multiple_of(ROW_PAD)
    };
    let cells_read = n_out.saturating_mul(n_in).saturating_mul(rows);
    let compares = n_in.saturating_mul(length).saturating_mul(batch) / 16;
    let threads = if cells_read.saturating_add(compares) >= PARALLEL_WORK {
        threads::ready_helpers()
    } else {
        1
    };
    let empty = validate::checked_size(batch, n_out, "thresholds")? == 0;
    if empty || n_in == 0 {
        if let Some(e) = refusal() {
            return Err(e);
        }
        return Ok((try_zeroed::<u64>(batch * n_out, "the counts")?, dims));
    }
    let ops = Operands {
        k: operands.k,
        states: operands.states,
        thresholds: operands.thresholds,
        dims,
    };
    let counts = if batch == 1 && length <= CELL_MAX_LENGTH {
        run_layout(dispatch, ops, Cells(CellGeometry::new(length)), threads)
    } else {
        run_layout(dispatch, ops, Pairs::new(dims), threads)
    };
    match counts? {
        Some(counts) => Ok((counts, dims)),
        // A task found a count above the length: the full check names it
        // (unless another thread changed k meanwhile).
        None => Err(refusal().unwrap_or_else(|| {
            EngineError::value(
                "k",
                format!(
                    "k must be in [0, {length}] (the stream length): a larger count was read \
                     during the call, and none is there now (was k written meanwhile?)"
                ),
            )
        })),
    }
}

/// [`prepared_counts_with`] on the active SIMD tier.
pub fn prepared_counts(operands: PreparedOperands<'_>) -> Result<(Vec<u64>, PreparedDims)> {
    prepared_counts_with(active_tier(), operands)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{SplitMix64, layer_shapes, tiers};

    /// The definition, one bit at a time.
    fn naive(k: &[u32], states: &[u16], x: &[i64], d: PreparedDims) -> Vec<u64> {
        let mut out = vec![0u64; d.batch * d.n_out];
        for b in 0..d.batch {
            for o in 0..d.n_out {
                let mut c = 0u64;
                for i in 0..d.n_in {
                    let kk = k[o * d.n_in + i] as usize;
                    let row = &states[i * d.length..(i + 1) * d.length];
                    let thr = x[b * d.n_in + i];
                    c += row[..kk].iter().filter(|&&s| i64::from(s) < thr).count() as u64;
                }
                out[b * d.n_out + o] = c;
            }
        }
        out
    }

    /// The operands of one random case of `(n_out, n_in, length, batch)`,
    /// its dims and its counts by the definition.
    fn random_case(rng: &mut SplitMix64, shape: (usize, usize, usize, usize)) -> Case {
        let (n_out, n_in, length, batch) = shape;
        let d = PreparedDims {
            n_out,
            n_in,
            length,
            batch,
        };
        let len = length as u64;
        let k: Vec<u32> = (0..n_out * n_in)
            .map(|_| match rng.below(5) {
                0 => 0,
                1 => length as u32,
                2 => (64 * rng.below(len / 64 + 1)).min(len) as u32,
                _ => rng.below(len + 1) as u32,
            })
            .collect();
        let states: Vec<u16> = (0..n_in * length)
            .map(|_| rng.below(65536) as u16)
            .collect();
        let x: Vec<i64> = (0..batch * n_in)
            .map(|_| match rng.below(5) {
                0 => 0,
                1 => ALWAYS,
                2 => 65535,
                _ => rng.below(65537) as i64,
            })
            .collect();
        let want = naive(&k, &states, &x, d);
        Case {
            d,
            shapes: [[n_out, n_in], [n_in, length], [batch, n_in]],
            k,
            states,
            x,
            want,
        }
    }

    /// A random case of [`random_case`].
    struct Case {
        d: PreparedDims,
        /// The shapes of `k`, `states` and `x`.
        shapes: [[usize; 2]; 3],
        k: Vec<u32>,
        states: Vec<u16>,
        x: Vec<i64>,
        want: Vec<u64>,
    }

    impl Case {
        /// The case's operands, with `k` in place of its own counts.
        fn operands<'a>(&'a self, k: &'a [u32]) -> PreparedOperands<'a> {
            let [k_shape, s_shape, t_shape] = &self.shapes;
            PreparedOperands {
                k,
                k_shape,
                states: &self.states,
                s_shape,
                thresholds: &self.x,
                t_shape,
            }
        }

        /// The counts on tier `t`, checking the dims.
        fn run(&self, t: Tier) -> Vec<u64> {
            let (out, dims) = prepared_counts_with(t, self.operands(&self.k)).unwrap();
            assert_eq!(dims, self.d);
            out
        }
    }

    /// [`prepared_counts`] of the operands and their shapes.
    fn counts(
        k: &[u32],
        k_shape: &[usize],
        states: &[u16],
        s_shape: &[usize],
        thresholds: &[i64],
        t_shape: &[usize],
    ) -> Result<(Vec<u64>, PreparedDims)> {
        prepared_counts(PreparedOperands {
            k,
            k_shape,
            states,
            s_shape,
            thresholds,
            t_shape,
        })
    }

    #[test]
    fn matches_definition_all_tiers() {
        let mut rng = SplitMix64::new(5);
        // The last two span several blocks of inputs in a batch's lookups.
        let fixed = [
            (1, 1, 1, 1),
            (3, 4, 64, 1),
            (2, 3, 65, 2),
            (5, 7, 300, 9),
            (5, 300, 1024, 20),
            (4, 3, 70001, 9),
        ];
        for shape in layer_shapes(&mut rng, &fixed, 30, [12, 20, 400, 20]) {
            let case = random_case(&mut rng, shape);
            for t in tiers() {
                assert_eq!(case.run(t), case.want, "{t:?} {:?}", case.d);
            }
        }
    }

    #[test]
    fn single_row_layouts_all_tiers() {
        let mut rng = SplitMix64::new(7);
        // The cell layout: partial tiles of 16 output rows and 16 inputs,
        // lengths that are not a multiple of 16 or 64, one to eight permute
        // groups and the gather past them, the longest cell stream; then
        // the pairs layout past it.
        let shapes = [
            (1, 1, 1, 1),
            (16, 16, 16, 1),
            (5, 17, 33, 1),
            (17, 33, 1024, 1),
            (31, 47, 1000, 1),
            (20, 40, 520, 1),
            (18, 19, 2049, 1),
            (40, 70, 4096, 1),
            (33, 20, 4112, 1),
            (3, 5, 65536, 1),
            (2, 3, 65537, 1),
        ];
        for shape in shapes {
            let case = random_case(&mut rng, shape);
            for t in tiers() {
                assert_eq!(case.run(t), case.want, "{t:?} {:?}", case.d);
            }
        }
    }

    #[test]
    fn thread_counts_agree() {
        let mut rng = SplitMix64::new(6);
        for shape in [(130, 90, 700, 1), (40, 33, 257, 11)] {
            let case = random_case(&mut rng, shape);
            for n in [1i128, 2, 3, 5] {
                crate::threads::set_num_threads(n).unwrap();
                for t in tiers() {
                    assert_eq!(case.run(t), case.want, "threads={n} {t:?} {:?}", case.d);
                }
            }
        }
        crate::threads::set_num_threads(crate::threads::default_num_threads() as i128).unwrap();
    }

    #[test]
    fn zero_size_dims() {
        let (out, _) = counts(&[], &[0, 3], &[1; 6], &[3, 2], &[5; 3], &[1, 3]).unwrap();
        assert!(out.is_empty());
        let (out, _) = counts(&[], &[2, 0], &[], &[0, 4], &[], &[3, 0]).unwrap();
        assert_eq!(out, vec![0; 6]);
        let (out, _) = counts(&[1, 1], &[2, 1], &[1], &[1, 1], &[], &[0, 1]).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn errors_name_the_argument() {
        let k = [0u32, 1, 2, 3];
        let s = [0u16; 6];
        let x = [0i64, 1];
        let ok = counts(&k, &[2, 2], &s, &[2, 3], &x, &[1, 2]);
        assert!(ok.is_ok());
        let arg = |r: Result<(Vec<u64>, PreparedDims)>| r.unwrap_err().arg();
        assert_eq!(arg(counts(&k, &[4], &s, &[2, 3], &x, &[1, 2])), Some("k"));
        assert_eq!(
            arg(counts(&k, &[2, 2], &s, &[3, 2], &x, &[1, 2])),
            Some("states")
        );
        assert_eq!(
            arg(counts(&k, &[2, 2], &s, &[2, 3], &x, &[2, 1])),
            Some("thresholds")
        );
        assert_eq!(
            arg(counts(&k, &[2, 2], &s[..5], &[2, 3], &x, &[1, 2])),
            Some("states")
        );
        assert_eq!(
            arg(counts(&k, &[2, 2], &[], &[2, 0], &x, &[1, 2])),
            Some("states")
        );
        let big = [0u32, 1, 2, 4];
        let e = counts(&big, &[2, 2], &s, &[2, 3], &x, &[1, 2]).unwrap_err();
        assert_eq!(e.arg(), Some("k"));
        assert!(e.to_string().contains("[0, 3]"), "{e}");
        for bad in [-1i64, 65537] {
            let e = counts(&k, &[2, 2], &s, &[2, 3], &[0, bad], &[1, 2]).unwrap_err();
            assert_eq!(e.arg(), Some("thresholds"));
        }
        // k's range is named before the thresholds', and checked when there
        // is nothing to count.
        let e = counts(&big, &[2, 2], &s, &[2, 3], &[0, -1], &[1, 2]).unwrap_err();
        assert_eq!(e.arg(), Some("k"));
        let e = counts(&big, &[2, 2], &s, &[2, 3], &[], &[0, 2]).unwrap_err();
        assert_eq!(e.arg(), Some("k"));
    }

    #[test]
    fn a_count_above_the_length_anywhere_is_refused_by_every_tier_and_layout() {
        // Many blocks of inputs (each lookup task checks its own), one input
        // row (cells) and a batch (pairs), the bad count in the first, a
        // middle and the last row and column.
        let mut rng = SplitMix64::new(11);
        for (n_out, n_in, length, batch) in [(5, 300, 200, 1), (5, 300, 200, 3), (17, 40, 70, 1)] {
            let case = random_case(&mut rng, (n_out, n_in, length, batch));
            for at in [0, n_in / 2 + 7, n_out * n_in / 2, n_out * n_in - 1] {
                let mut k = case.k.clone();
                k[at] = length as u32 + 1;
                let operands = case.operands(&k);
                let want =
                    validate::prepared_args(&operands, |k| k.iter().copied().fold(0, u32::max))
                        .unwrap_err()
                        .to_string();
                for t in tiers() {
                    let e = prepared_counts_with(t, operands).unwrap_err();
                    assert_eq!(e.to_string(), want, "{t:?} at {at}");
                }
            }
        }
    }
}
