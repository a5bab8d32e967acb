//! The signal graph (as `_dna.topology`): nodes in first-appearance order,
//! Kahn order (FIFO from the sources), depths, the critical path, fan-out and
//! the feedback loops (strongly connected components of 2+ nodes).

use std::collections::{BTreeMap, VecDeque};

use super::types::DnaGate;

/// The analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// Longest path (gates).
    pub depth: usize,
    /// Signals feeding gates, with their counts, in node order.
    pub fan_out: Vec<(String, usize)>,
    /// Some node is left out of the order.
    pub has_feedback: bool,
    /// The loops, each in node order, ordered by their first node.
    pub cycles: Vec<Vec<String>>,
    /// Kahn order.
    pub topological_order: Vec<String>,
    /// Source first.
    pub critical_path: Vec<String>,
    /// Number of signals.
    pub n_nodes: usize,
}

/// Analyses the gates' signal graph.
pub fn analyze(gates: &[DnaGate]) -> Topology {
    let mut nodes: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for g in gates {
        for s in g.input_names.iter().chain([&g.output_name]) {
            if !index.contains_key(s) {
                index.insert(s.clone(), nodes.len());
                nodes.push(s.clone());
            }
        }
    }
    let n = nodes.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for g in gates {
        for s in &g.input_names {
            succ[index[s]].push(index[&g.output_name]);
        }
    }
    let mut indegree = vec![0usize; n];
    for list in &succ {
        for &m in list {
            indegree[m] += 1;
        }
    }
    let mut queue: VecDeque<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut topo = Vec::new();
    while let Some(v) = queue.pop_front() {
        topo.push(v);
        for &m in &succ[v] {
            indegree[m] -= 1;
            if indegree[m] == 0 {
                queue.push_back(m);
            }
        }
    }
    let mut depth = vec![0usize; n];
    for &v in &topo {
        for &m in &succ[v] {
            depth[m] = depth[m].max(depth[v] + 1);
        }
    }
    let mut ordered = vec![false; n];
    for &v in &topo {
        ordered[v] = true;
    }
    let mut path = Vec::new();
    if let Some(&deepest) = topo.iter().map(|&v| &depth[v]).max() {
        let mut v = *topo.iter().find(|&&v| depth[v] == deepest).unwrap_or(&0);
        path.push(v);
        while depth[v] > 0 {
            let preds = gates
                .iter()
                .filter(|g| index[&g.output_name] == v)
                .flat_map(|g| g.input_names.iter().map(|s| index[s]));
            let Some(p) = preds
                .into_iter()
                .find(|&p| ordered[p] && depth[p] + 1 == depth[v])
            else {
                break;
            };
            v = p;
            path.push(v);
        }
        path.reverse();
    }
    let fan_out = nodes
        .iter()
        .filter_map(|s| {
            let count = gates
                .iter()
                .map(|g| g.input_names.iter().filter(|x| *x == s).count())
                .sum::<usize>();
            (count > 0).then(|| (s.clone(), count))
        })
        .collect();
    let name = |v: usize| nodes[v].clone();
    Topology {
        depth: depth.iter().copied().max().unwrap_or(0),
        fan_out,
        has_feedback: topo.len() < n,
        cycles: components(&succ)
            .into_iter()
            .map(|c| c.into_iter().map(name).collect())
            .collect(),
        topological_order: topo.iter().map(|&v| name(v)).collect(),
        critical_path: path.into_iter().map(name).collect(),
        n_nodes: n,
    }
}

/// Strongly connected components of 2+ nodes (node indices ascending), ordered by first node.
fn components(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    // Two nodes share a component when each reaches the other.
    let n = succ.len();
    let reach: Vec<Vec<bool>> = (0..n)
        .map(|s| {
            let mut seen = vec![false; n];
            let mut stack = succ[s].clone();
            while let Some(v) = stack.pop() {
                if !seen[v] {
                    seen[v] = true;
                    stack.extend(&succ[v]);
                }
            }
            seen
        })
        .collect();
    let mut assigned = vec![false; n];
    let mut out = Vec::new();
    for v in 0..n {
        if assigned[v] {
            continue;
        }
        let comp: Vec<usize> = (0..n)
            .filter(|&u| u == v || (reach[v][u] && reach[u][v]))
            .collect();
        for &u in &comp {
            assigned[u] = true;
        }
        if comp.len() > 1 {
            out.push(comp);
        }
    }
    out
}
