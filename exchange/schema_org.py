"""The schema.org description a framework page embeds for search engines: an Occupation and its skills."""

import json

from django.utils.safestring import mark_safe

from exchange.ctdl import ONET_SOC
from exchange.selectors import linked_data_statements

# As django.utils.html.json_script escapes: nothing in the data can close the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def occupation_linked_data(occupation, framework, page_url):
    skills = []
    for statement in linked_data_statements(framework):
        uid = str(statement["uid"])  # once: formatting a UUID is most of the loop's cost
        skills.append(
            {
                "@type": "DefinedTerm",
                "termCode": uid,
                "name": statement["title"],
                "description": statement["text"],
                "url": f"{page_url}?tab={statement['section__key']}#statement-{uid}",
                "inDefinedTermSet": page_url,
            }
        )
    return {
        "@context": "https://schema.org",
        "@type": "Occupation",
        "name": occupation.title,
        "description": occupation.description,
        "url": page_url,
        "occupationalCategory": {
            "@type": "CategoryCode",
            "codeValue": occupation.soc_code,
            "name": occupation.title,
            "inCodeSet": {"@type": "CategoryCodeSet", "name": "O*NET-SOC", "url": ONET_SOC},
        },
        "skills": skills,
    }


def script_json(data):
    """JSON safe to place inside a <script> element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))
