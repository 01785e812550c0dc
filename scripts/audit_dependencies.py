"""Check the installed dependencies against a vulnerability database, and say plainly when that was not possible.

Run by .ci/run after the tests: ``python scripts/audit_dependencies.py``. It runs pip-audit (PyPI's advisory
data, from the OSV database) over this environment and reads its JSON:
- a known vulnerability in any installed package: exit 1, listing each with its fix version;
- packages the tool could not look up (no route to the database, as on a machine that reaches only a package
  mirror): exit 0, but the report says "NOT CHECKED" and names them, because "no known vulnerabilities" from
  a tool that could not ask is no evidence;
- everything looked up and clean: exit 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def summarise(report: dict[str, Any]) -> tuple[int, list[str]]:
    """(exit code, lines to print) for pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    checked = len(dependencies) - len(skipped)
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            lines.append(f"VULNERABLE {dep['name']} {dep.get('version', '?')}: {vuln.get('id', '?')} (fixed in {fixes})")
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(f"dependency audit: NOT CHECKED for {len(skipped)} of {len(dependencies)} packages: the "
                     f"vulnerability database could not be reached or does not know them ({names})")
    if not vulnerable:
        lines.append(f"dependency audit: no known vulnerabilities in the {checked} packages that could be checked"
                     + (" (see NOT CHECKED above)" if skipped else ""))
    return (1 if vulnerable else 0), lines


def main() -> int:
    try:
        run = subprocess.run([sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
                              "--skip-editable"],
                             capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"dependency audit: NOT CHECKED: pip-audit could not run ({exc})")
        return 0
    try:
        report = json.loads(run.stdout)
    except ValueError:
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"dependency audit: NOT CHECKED: pip-audit gave no report ({reason})")
        return 0
    code, lines = summarise(report)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
