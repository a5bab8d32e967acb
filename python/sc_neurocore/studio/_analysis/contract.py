"""Metric contracts: what an analysis computed, in which units, and where it is valid.

Every analysis payload carries a ``contract`` block next to its numbers. The
``domain`` verdict says whether the analysis covered all of its requested
domain (``"complete"``), part of it (``"partial"``, the invalid part being
reported) or none of it (``"empty"``); an invalid point is never reported as a
zero-valued success.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

__all__ = ["METRIC_CONTRACT_SCHEMA_VERSION", "MODEL_DEFINED_UNIT", "DomainStatus",
           "MetricContract", "attach_contract", "contract_summary", "domain_of"]

METRIC_CONTRACT_SCHEMA_VERSION = "studio.metric-contract.v1"
"""The ``schema_version`` of every public contract block."""
MODEL_DEFINED_UNIT = "model-defined"
"""The unit of a quantity whose unit the model (not the analysis) defines."""

DomainStatus: TypeAlias = Literal["complete", "partial", "empty"]
"""How much of its requested domain an analysis covered."""

_DOMAINS = ("complete", "partial", "empty")


@dataclass(frozen=True, slots=True)
class MetricContract:
    """What one analysis computed, in which units, and under which conditions.

    Parameters
    ----------
    kind : str
        Stable, non-empty identifier of the metric family (``"fi-curve"``,
        ``"rate-elasticity"``, ``"nullclines"``, ...).
    definition : str
        Non-empty statement of how the numbers are computed.
    units : mapping of str to str
        Unit of each reported quantity, keyed by payload field or quantity
        name ([`MODEL_DEFINED_UNIT`][sc_neurocore.studio.analysis.MODEL_DEFINED_UNIT]
        where the model defines it).
    applicability : tuple of str
        Conditions under which the metric is meaningful.
    limitations : tuple of str
        Known limits of the computation.
    domain : {"complete", "partial", "empty"}
        Every requested point evaluated, some of them invalid (and reported),
        or none evaluable.
    domain_detail : mapping of str to object
        Counts and reasons of the invalid part.

    Raises
    ------
    ValueError
        If ``kind`` or ``definition`` is empty or ``domain`` is not one of the
        three verdicts.
    """

    kind: str
    definition: str
    units: Mapping[str, str]
    applicability: tuple[str, ...]
    limitations: tuple[str, ...] = ()
    domain: DomainStatus = "complete"
    domain_detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:  # refuses an empty kind or definition, an unknown domain
        if not isinstance(self.kind, str) or not self.kind:
            raise ValueError(f"metric contract kind must be a non-empty str, got {self.kind!r}")
        if not isinstance(self.definition, str) or not self.definition:
            raise ValueError("metric contract definition must be a non-empty str, got "
                             f"{self.definition!r}")
        if self.domain not in _DOMAINS:
            raise ValueError(f"metric contract has an unknown domain {self.domain!r}; "
                             f"expected one of {', '.join(_DOMAINS)}")

    def to_public_dict(self) -> dict[str, Any]:
        """The public contract block (plain lists and dicts, JSON-ready).

        Returns
        -------
        dict
            ``schema_version``, ``kind``, ``definition``, ``units``,
            ``applicability``, ``limitations``, ``domain`` and ``domain_detail``.
        """
        return {"schema_version": METRIC_CONTRACT_SCHEMA_VERSION, "kind": self.kind,
                "definition": self.definition, "units": dict(self.units),
                "applicability": list(self.applicability),
                "limitations": list(self.limitations), "domain": self.domain,
                "domain_detail": dict(self.domain_detail)}


def attach_contract(payload: dict[str, Any], contract: MetricContract) -> dict[str, Any]:
    """Set ``payload["contract"]`` to the contract's public block and return ``payload``.

    Parameters
    ----------
    payload : dict
        An analysis result (changed in place).
    contract : MetricContract
        Its contract.

    Returns
    -------
    dict
        ``payload`` itself.
    """
    payload["contract"] = contract.to_public_dict()
    return payload


def contract_summary(payload: Mapping[str, Any]) -> tuple[str | None, DomainStatus | None]:
    """``(kind, domain)`` of a payload's contract block, or ``(None, None)`` without one.

    Parameters
    ----------
    payload : mapping
        An analysis result.

    Returns
    -------
    tuple
        The contract's ``kind`` and ``domain``; ``(None, None)`` when the
        payload has no contract block or its kind is not a non-empty ``str``.

    Raises
    ------
    ValueError
        If the block carries an unknown domain verdict.
    """
    block = payload.get("contract")
    if not isinstance(block, Mapping):
        return None, None
    kind, domain = block.get("kind"), block.get("domain")
    if not isinstance(kind, str) or not kind:
        return None, None
    if domain == "complete" or domain == "partial" or domain == "empty":
        return kind, domain
    raise ValueError(f"payload contract carries an unknown domain {domain!r}")


def domain_of(defined: int, total: int) -> DomainStatus:
    """The verdict for ``defined`` of ``total`` points: all (or none asked), none, or some.

    Parameters
    ----------
    defined : int
        Points evaluated.
    total : int
        Points requested.

    Returns
    -------
    str
        ``"complete"`` when ``defined == total``, ``"empty"`` when
        ``defined == 0 < total``, ``"partial"`` otherwise.
    """
    if defined == total:
        return "complete"
    return "empty" if defined == 0 else "partial"
