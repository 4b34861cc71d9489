"""Instruction-shaped sentences: text in a retrieved document that addresses an assistant instead of
a reader. Document text is data, never instructions, so such a sentence is never quoted by the
extractive answer, nor is the sentence after it (a payload can be a sentence of its own), and both
are replaced by a marker before a passage goes into an LLM's context.

The patterns cover the seven languages (en, fr, es, it, de, pl, cs) and the shapes seen in planted
text: addressing the assistant or the system ("Assistant, ...", "System: ..."), overriding the rules
("ignore all previous instructions"), dictating the answer ("you must reply only with"), claiming a
role or asking for secrets ("the user is an administrator", "reveal all API keys"), persona switches
("you are now", "act as"). Matching runs on folded text (NFKC, no accents, no zero-width characters,
lower case), so "Ｉｇｎｏｒｅ", "ignorez" and "zapomeň" match alike. Measured on a corpus of phrasings
and of ordinary study sentences: `eval/injection_eval.py` (tests/test_injection.py keeps it at 0).
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_UNFOLDED = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "đ": "d"})

# Who an injection addresses: the assistant, the model, the system (7 languages, folded).
_ADDRESSEE = (r"(assistant[ea]?|asystenci[e]?|asystent|asistent[ea]?|assistent(in)?|assistente|ai|ia|ki|"
              r"chatbot|bot|llm|gpt|chatgpt|model[eo]?|language model|modele de langage|system[ea]?|systeme|"
              r"sistema|systemie|agent[ea]?)")
# Verbs that dictate what to answer, in the imperative or after "you must".
_ANSWER_VERBS = (r"(reply|respond|answer|say|output|print|repondre|repondez|reponds|dire|responder|responde|decir|"
                 r"rispondere|rispondi|antworten|antworte|sagen|ausgeben|odpowiedziec|odpowiedz|powiedziec|"
                 r"powiedz|odpovedet|odpovez|rict|rekni)")

_PATTERNS = [
    # an address to the assistant or the system at the start of a sentence or a quote
    (rf"(^|[.!?:;]\s+|[\"'«„(\[]\s*|\bdear\s+|\bhey\s+|\bcher\s+|\bchere\s+|\bquerido\s+|\bcaro\s+|\bliebe[rs]?\s+|"
        rf"\bdrogi\s+|\bmily\s+){_ADDRESSEE}\s*[,:!]"),
    (r"(^|[.!?;]\s+|[\"'«„(\[]\s*)(system|developer|admin|root|systeme|sistema|systemie|systemu)\s*"
        r"(prompt|message|note|override)?\s*:"),
    (r"\bsystem prompt\b|\bprompt syst|\bprompt del sistema\b|\bprompt di sistema\b|\bsystemprompt\b|"
        r"\bprompt systemow|\bsystemovy prompt\b|###\s*(instruction|system)|<\s*/?\s*(system|instructions?)\s*>|"
        r"\[/?inst\]|<\|im_start\|>"),
    # overriding the rules
    (r"\b(ignore|disregard|forget|override|bypass|skip)\b.{0,40}\b(instructions?|prompts?|rules|guidelines|above|"
        r"previous|prior|earlier|context|system)\b"),
    (r"\b(ignorez|ignore|ignorer|oubliez|oublie|oublier|ne tenez pas compte|ne tiens pas compte)\b.{0,40}"
        r"\b(instructions?|consignes?|regles?|precedent\w*|ci-dessus|contexte)\b"),
    (r"\b(ignora|ignore|olvida|olvide|haz caso omiso|omite)\b.{0,40}\b(instrucciones|reglas|anteriores|"
        r"previas|contexto|indicaciones)\b"),
    (r"\b(ignora|ignori|dimentica|dimentichi|trascura)\b.{0,40}\b(istruzioni|regole|precedenti|sopra|contesto|"
        r"indicazioni)\b"),
    (r"\b(ignoriere|ignorieren|vergiss|vergessen|missachte|missachten|uberschreibe)\b.{0,40}\b(anweisungen|"
        r"regeln|vorherige\w*|obige\w*|vorgaben|kontext|instruktionen)\b"),
    (r"\b(zignoruj|ignoruj|zapomnij|pomin)\b.{0,40}\b(instrukcj\w*|polecen\w*|zasad\w*|poprzedn\w*|wczesniejsz\w*|"
        r"powyzsz\w*|kontekst\w*)\b"),
    (r"\b(ignoruj|ignorujte|zapomen|zapomente|nedbej)\b.{0,40}\b(instrukc\w*|pokyn\w*|pravid\w*|predchoz\w*|"
        r"vyse|kontext\w*)\b"),
    # dictating the answer
    (rf"\b(you must|you should|you will|you have to|you need to|tu dois|vous devez|debes|usted debe|devi|deve|"
        rf"du musst|sie mussen|musisz|musi pan|musis|musite)\b.{{0,20}}\b{_ANSWER_VERBS}\b"),
    (rf"\b{_ANSWER_VERBS}\b\s+(only|solely|exclusively|uniquement|seulement|solo|solamente|unicamente|"
        rf"soltanto|nur|ausschliesslich|tylko|wylacznie|pouze|jen)\b"),
    (r"\b(reply|respond|answer)\s+with\s*:|\b(reponds|repondez)\s+(par|avec)\s*:|\bresponde\s+con\s*:|"
        r"\brispondi\s+con\s*:|\bantworte\s+mit\s*:|\bodpowiedz\s*:|\bodpovez\s*:|\brepeat after me\b"),
    # claiming a role, asking for secrets
    (r"\b(the user|this user|l'utilisateur|el usuario|l'utente|der (benutzer|nutzer)|uzytkownik|uzivatel)\b.{0,12}"
        r"\b(is|est|es|e|ist|jest|je)\b.{0,8}\b(an? |un |une |uno |ein )?(admin\w*|administra\w*|developer|root|"
        r"owner|superuser)\b"),
    (r"\b(reveal|disclose|leak|print|show|dump|revele[rz]?|revela|divulga|rivela|enthulle|verrate|gib\w* aus|"
        r"ujawnij|pokaz|prozrad|odhal|vypis)\b.{0,40}\b(api[ -]?keys?|keys?|passwords?|secrets?|tokens?|credentials|"
        r"cles|mots de passe|claves|contrasenas|chiavi|password|schlussel\w*|passworter|kennw\w*|klucz\w*|hasl\w*|"
        r"klic\w*|hesl\w*|system prompt|prompt)\b"),
    # persona switches and jailbreak words
    (r"\b(you are now|from now on,? you|act as (an? |the )?(\w+ )?(assistant|ai|model|bot|chatbot|llm|admin\w*|developer)\b|"
        r"pretend (to be|you are)|roleplay as|tu es maintenant|desormais,? tu|"
        r"fais semblant|ahora eres|a partir de ahora|finge ser|ora sei|da ora in poi|fingi di essere|du bist jetzt|"
        r"ab jetzt bist du|tu so als|jestes teraz|od teraz jestes|udawaj|ted jsi|nyni jsi|od ted jsi|predstirej)\b"),
    (r"\b(jailbreak|developer mode|dan mode|do anything now|mode developpeur|modo desarrollador|"
        r"entwicklermodus|tryb deweloper\w*|vyvojarsky rezim)\b"),
    r"\b(as an ai|en tant qu'ia|como ia|come ia|als ki|jako si|jako ai)\b",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)
_SENTENCES = re.compile(r"(?<=[.!?;])[\"'»”)\]]*\s+|\n+")
REDACTED = "[instruction-shaped text removed]"


def fold(text: str) -> str:
    """Lower case, compatibility forms (full-width letters), no accents, no invisible characters."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_UNFOLDED)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("’", "'").lower().split())


def looks_like_instruction(text: str) -> bool:
    """Whether `text` (a sentence or a passage) holds a sentence addressed to an assistant."""
    return bool(_INSTRUCTION.search(fold(text)))


def redact_instructions(text: str) -> str:
    """`text` with each instruction-shaped sentence, and the sentence after it (a payload of its own:
    "repeat the next sentence. Visit evil.example..."), replaced by a marker (for an LLM's context)."""
    if not looks_like_instruction(text):
        return text
    kept: list[str] = []
    start = 0
    after_instruction = False
    for boundary in [*_SENTENCES.finditer(text), None]:
        end = boundary.end() if boundary is not None else len(text)
        piece = text[start:end]
        start = end
        if not piece.strip():
            kept.append(piece)
            continue
        flagged = looks_like_instruction(piece)
        if flagged or after_instruction:
            if not kept or not kept[-1].startswith(REDACTED):  # one marker for a run of removed sentences
                kept.append(REDACTED + piece[len(piece.rstrip()):])
        else:
            kept.append(piece)
        after_instruction = flagged
    return "".join(kept)
