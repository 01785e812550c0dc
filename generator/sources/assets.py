"""Which files a content bundle may publish beside its Markdown: media and documents, nothing a browser runs.

A bundle file is copied verbatim onto the embassy's own origin, past the Markdown sanitizer, so an HTML page
or a script there would be a phishing page or code that the site's `script-src 'self'` allows. Only the types
below are published; everything else is a located error (see docs/guide.md, "Bundles").
"""

from __future__ import annotations

from types import MappingProxyType

from ..core.controls import hidden

#: suffix (lower case) → what it is, for the guide and for messages
PUBLISHABLE = MappingProxyType({
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"), "image"),
    **dict.fromkeys((".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".doc", ".xls", ".ppt", ".rtf",
                     ".csv", ".txt"), "document"),
    **dict.fromkeys((".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac"), "audio"),
    **dict.fromkeys((".mp4", ".m4v", ".webm", ".ogv", ".mov"), "video"),
    ".vtt": "captions",
})


def refusal(name: str) -> tuple[str, str] | None:
    """Why the bundle file ``name`` may not be published, with the fix; None when it may."""
    if hidden(name):
        return ("file name holds a control or text-direction character, which can disguise its type",
                "rename the file with letters, digits, '-' and '_' only")
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    if suffix == ".svg":
        return ("SVG files are not published from bundles: an SVG can carry script and links",
                "convert it to PNG or WebP, or ask a developer to add a reviewed copy to the theme")
    if suffix not in PUBLISHABLE:
        shown = f'"{suffix}" files' if suffix else "files without a type suffix"
        return (f"{shown} are not published from bundles (only images, PDF and office documents, audio and video)",
                "remove the file from the bundle, or link to it where it is officially hosted")
    return None
