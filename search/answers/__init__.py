"""Answers with citations on top of product and study search.

    contract.py       AskRequest / AskResponse / Citation / AskEvent (JSON and SSE)
    service.py        AskService: route, retrieve through the engines, synthesise, cite
    domain_router.py  which domains a question goes to (products, studies, ingredients), and why
    synthesis.py      the one-method Synthesizer contract and the offline extractive synthesiser
    llm.py            any LLM by configuration (CONSEIL_LLM), through llama-index at the edge
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conseil.search._exports import lazy_exports

if TYPE_CHECKING:  # the real classes for type checkers; at run time they load on first use
    from conseil.search.answers.contract import AskEvent, AskRequest, AskResponse, Citation  # noqa: F401
    from conseil.search.answers.domain_router import Router  # noqa: F401
    from conseil.search.answers.service import AskService  # noqa: F401
    from conseil.search.answers.synthesis import ExtractiveSynthesizer, Synthesizer  # noqa: F401

__all__, __getattr__ = lazy_exports(__name__, {
    "contract": ("AskEvent", "AskRequest", "AskResponse", "Citation"),
    "domain_router": ("Router",),
    "service": ("AskService",),
    "synthesis": ("ExtractiveSynthesizer", "Synthesizer"),
})
