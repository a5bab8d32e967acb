"""dna_mapper laboratory output: files read back by independent readers (Biopython's
``SeqIO`` for FASTA and GenBank, ``json``), cost and protocol arithmetic, plate layout,
and the text and matplotlib renderings."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable

import numpy as np
import pytest
from Bio import SeqIO
from Bio.SeqRecord import SeqRecord
from sc_neurocore.bridges.dna_mapper import (
    BitstreamToDNA,
    DNACircuitDesign,
    DNAStrand,
    KineticSimulator,
    PlateLayout,
    estimate_cost,
    export_fasta,
    export_genbank,
    export_json,
    export_nupack_input,
    generate_protocol,
    visualize_circuit,
    visualize_kinetics,
)


@pytest.fixture(scope="module")
def design() -> DNACircuitDesign:
    return BitstreamToDNA("hybrid", seed=42).compile_network(
        [{"type": "AND", "inputs": ["A", "B"], "output": "C"},
         {"type": "NOT", "inputs": ["C"], "output": "D"},
         {"type": "XOR", "inputs": ["D", "A"], "output": "E"}], ["A", "B"], ["E"],
        name="demo")


def _read_back(export: Callable[[DNACircuitDesign, str], None], design: DNACircuitDesign,
               path: str, fmt: str) -> list[SeqRecord]:
    """``export(design, path)``, read back by Biopython's ``SeqIO`` as ``fmt``."""
    export(design, path)
    with open(path, encoding="utf-8") as handle:
        return list(SeqIO.parse(handle, fmt))


def test_fasta_reads_back_with_biopython(design: DNACircuitDesign,
                                         tmp_path: os.PathLike[str]) -> None:
    records = _read_back(export_fasta, design, os.path.join(tmp_path, "circuit.fasta"), "fasta")
    assert [(r.id, str(r.seq)) for r in records] == [(s.name, s.sequence)
                                                     for s in design.all_strands]
    assert records[0].description.split()[1:] == [
        f"role={design.all_strands[0].role}", f"gc={design.all_strands[0].gc_content:.3f}",
        f"conc={design.all_strands[0].concentration_nM}nM"]


def test_genbank_reads_back_with_biopython(design: DNACircuitDesign,
                                           tmp_path: os.PathLike[str]) -> None:
    records = _read_back(export_genbank, design, os.path.join(tmp_path, "circuit.gb"), "genbank")
    strands = design.all_strands
    assert len(records) == len(strands)
    for k, (record, strand) in enumerate(zip(records, strands)):
        assert str(record.seq).upper() == strand.sequence and len(record) == strand.length
        locus = strand.name if len(strand.name) <= 16 else f"strand_{k + 1}"
        assert record.name == locus and record.description.startswith(strand.name + ",")
        assert record.annotations["molecule_type"] == "ss-DNA"
        assert record.annotations["topology"] == "linear"
        assert [f.type for f in record.features] == ["source", "misc_feature"]
        assert record.features[1].qualifiers["label"] == [strand.name]


def test_genbank_renames_long_locus_names(tmp_path: os.PathLike[str]) -> None:
    design = DNACircuitDesign(input_strands=[DNAStrand("a_very_long_strand_name", "ACGTACGT"),
                                             DNAStrand("x", "GGCC" * 20)])
    records = _read_back(export_genbank, design, os.path.join(tmp_path, "long.gb"), "genbank")
    assert [r.name for r in records] == ["strand_1", "x"]
    assert str(records[1].seq).upper() == "GGCC" * 20  # two ORIGIN lines


def test_json_reads_back(design: DNACircuitDesign, tmp_path: os.PathLike[str]) -> None:
    path = os.path.join(tmp_path, "circuit.json")
    export_json(design, path)
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["name"] == "demo" and data["method"] == "hybrid"
    assert data["total_strands"] == design.total_strands
    assert [g["gate_type"] for g in data["gates"]] == ["and", "not", "xor"]
    first = data["input_strands"][0]
    strand = design.input_strands[0]
    assert first["sequence"] == strand.sequence
    assert first["tm_celsius"] == round(strand.melting_temperature(), 1)
    assert data["validation"] == design.validate()


def test_nupack_input_file(design: DNACircuitDesign, tmp_path: os.PathLike[str]) -> None:
    path = os.path.join(tmp_path, "circuit.in")
    export_nupack_input(design, path)
    with open(path, encoding="ascii") as handle:
        body = [ln for ln in handle.read().splitlines() if not ln.startswith("%")]
    assert int(body[0]) == design.total_strands and body[-1] == "2"


def test_cost_is_per_distinct_oligo(design: DNACircuitDesign) -> None:
    report = estimate_cost(design, price_per_base_usd=0.10, fixed_per_oligo_usd=5.0,
                           purification="hplc")
    seen: dict[str, DNAStrand] = {}
    for s in design.all_strands:
        seen.setdefault(s.sequence, s)
    expected = sum(s.length * 0.10 * 2.5 + 5.0 for s in seen.values())
    assert report["n_unique_oligos"] == len(seen)
    assert report["total_cost_usd"] == round(expected, 2)
    assert report["total_nucleotides"] == design.total_nucleotides
    with pytest.raises(ValueError, match="purification"):
        estimate_cost(design, purification="gold")


def test_protocol_volumes_add_up(design: DNACircuitDesign) -> None:
    text = generate_protocol(design, volume_uL=50.0)
    assert text.startswith("# Wet-Lab Protocol: demo")
    rows = [ln.split("|") for ln in text.splitlines() if ln.startswith("| ") and "nt |" in ln]
    volumes = [float(r[4]) for r in rows]
    assert len(rows) == len({s.name for s in design.all_strands})
    assert volumes[0] == pytest.approx(200.0 * 50.0 / 100_000.0, abs=0.005)
    buffer_row = next(ln for ln in text.splitlines() if ln.endswith("| buffer |"))
    assert float(buffer_row.split("|")[4]) == pytest.approx(50.0 - sum(
        s.concentration_nM * 50.0 / 100_000.0 for s in {x.name: x for x in
                                                         design.all_strands}.values()), abs=0.01)
    crowded = DNACircuitDesign(input_strands=[DNAStrand("x", "ACGT", "fuel", 2e5)])
    with pytest.raises(ValueError, match="more than volume_uL"):
        generate_protocol(crowded, volume_uL=10.0)


def test_plate_layout_fills_rows_then_plates(design: DNACircuitDesign) -> None:
    report = PlateLayout().layout(design)
    wells = [e["well"] for p in report["plates"] for e in p]
    assert wells[:3] == ["A01", "A02", "A03"] and report["n_plates"] == 1
    assert report["utilization_pct"] == pytest.approx(report["n_unique_oligos"] / 96 * 100)
    assert report["manifest_csv"].splitlines()[0] == "Plate,Well,Name,Sequence,Length"
    layout = PlateLayout(384)
    assert layout.well(383) == (1, "P24") and layout.well(384) == (2, "A01")
    assert PlateLayout(96).well(12) == (1, "B01")
    with pytest.raises(ValueError, match="n_wells"):
        PlateLayout(100)


def test_text_renderings(design: DNACircuitDesign) -> None:
    text = visualize_circuit(design)
    assert "AND(A, B) -> C" in text and "XOR(D, A) -> E" in text and "outputs: E" in text
    result = KineticSimulator().simulate(design, {"A": 200.0, "B": 200.0}, duration_s=300.0)
    chart = visualize_kinetics(result)
    lines = chart.splitlines()
    assert len(lines) == 3 and lines[0].strip().startswith("C:")
    assert lines[0].endswith(f"[{result['C'][-1]:.1f} nM]")
    with pytest.raises(ValueError, match="shape"):
        visualize_kinetics({"time": np.zeros(3), "x": np.zeros(2)})


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="needs matplotlib")
def test_figures_are_drawn_with_matplotlib(design: DNACircuitDesign,
                                           tmp_path: os.PathLike[str]) -> None:
    circuit_png = os.path.join(tmp_path, "circuit.png")
    kinetics_png = os.path.join(tmp_path, "kinetics.png")
    visualize_circuit(design, path=circuit_png)
    result = KineticSimulator().simulate(design, {"A": 200.0, "B": 0.0}, duration_s=60.0)
    visualize_kinetics(result, path=kinetics_png)
    for path in (circuit_png, kinetics_png):
        with open(path, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_figures_say_when_matplotlib_is_missing(design: DNACircuitDesign,
                                                monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: os.PathLike[str]) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="draws with matplotlib, which is not installed"):
        visualize_circuit(design, path=os.path.join(tmp_path, "x.png"))
    assert "AND" in visualize_circuit(design)  # the text needs nothing
