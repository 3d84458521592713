"""ppt schema: the JSON Schema of a case file, for editors with a YAML language server."""

from __future__ import annotations

import json

import typer

from pptcli.cli import app


def case_schema() -> dict[str, object]:
    from pptcli.model.case import Case

    schema = Case.model_json_schema()
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ppt case file",
        "description": "One child's case, as recorded for the NH DCYF Permanency Planning Team (SPEC section 3).",
    }


@app.command()
def schema() -> None:
    """Print the JSON Schema of a case file."""
    typer.echo(json.dumps(case_schema(), indent=2))
