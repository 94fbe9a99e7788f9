"""A framework in CTDL-ASN, the Credential Engine's competency vocabulary, as JSON-LD.

The graph holds the ceasn:CompetencyFramework, one skos:ConceptScheme per proficiency scale (its levels are
the concepts that competencies name as their ceasn:complexityLevel) and one ceasn:Competency per statement.
"""

from datetime import UTC

from exchange.identifiers import framework_identifier
from exchange.publication import PUBLISHER
from frameworks.models import Framework

CONTEXT = "https://credreg.net/ctdlasn/schema/context/json"
LANGUAGE = "en-US"
# An archived version, served at its version's address, is one a later version replaced.
PUBLICATION_STATUS = {
    Framework.Status.PUBLISHED: "http://purl.org/ctdlasn/vocabs/publicationStatus/Published",
    Framework.Status.ARCHIVED: "http://purl.org/ctdlasn/vocabs/publicationStatus/Deprecated",
}
ONET_SOC = "https://www.onetcenter.org/taxonomy.html"
ONET_OCCUPATION = "https://www.onetonline.org/link/summary/{soc_code}"


def _text(value):
    return {LANGUAGE: value}


def competency_framework(contents, document_url, page_url):
    framework, occupation = contents.framework, contents.occupation
    scales = {}
    for section in contents.sections:
        scales.setdefault(section.scale.key, (section.scale, contents.levels_of(section)))

    def level_id(scale_key, level_key):
        return f"{document_url}#scale-{scale_key}-{level_key}"

    competencies = []
    for statement in contents.statements:
        section = statement.section
        category = f"{section.name}: {statement.domain.name}" if statement.domain else section.name
        competency = {
            "@id": f"{page_url}?tab={section.key}#statement-{statement.uid}",
            "@type": "ceasn:Competency",
            "ceterms:ctid": f"ce-{statement.uid}",
            "ceasn:competencyLabel": _text(statement.title),
            "ceasn:competencyText": _text(statement.text),
            "ceasn:competencyCategory": _text(category),
            "ceasn:complexityLevel": [level_id(section.scale.key, statement.level.key)],
            "ceasn:listID": str(statement.position),
            "ceasn:isPartOf": document_url,
            "ceasn:isTopChildOf": document_url,
            "ceasn:inLanguage": [LANGUAGE],
        }
        if labels := [citation.source.label for citation in statement.citations.all()]:
            competency["ceasn:comment"] = {LANGUAGE: [f"Sources: {'; '.join(labels)}"]}
        competencies.append(competency)

    framework_node = {
        "@id": document_url,
        "@type": "ceasn:CompetencyFramework",
        "ceterms:ctid": f"ce-{framework_identifier(framework)}",
        "ceasn:name": _text(f"{occupation.title} skills framework"),
        "ceasn:description": _text(framework.context_covered or occupation.description),
        "ceasn:inLanguage": [LANGUAGE],
        "ceasn:publisherName": _text(PUBLISHER),
        "ceasn:publicationStatusType": PUBLICATION_STATUS[framework.status],
        "ceasn:source": [page_url],
        "ceasn:dateModified": framework.updated_at.astimezone(UTC).date().isoformat(),
        "ceasn:hasTopChild": [competency["@id"] for competency in competencies],
        "ceterms:occupationType": [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:framework": ONET_SOC,
                "ceterms:frameworkName": _text("O*NET-SOC"),
                "ceterms:codedNotation": occupation.soc_code,
                "ceterms:targetNode": ONET_OCCUPATION.format(soc_code=occupation.soc_code),
                "ceterms:targetNodeName": _text(occupation.title),
            }
        ],
    }
    schemes = []
    for scale, levels in scales.values():
        scheme_id = f"{document_url}#scale-{scale.key}"
        schemes.append(
            {
                "@id": scheme_id,
                "@type": "skos:ConceptScheme",
                "skos:prefLabel": _text(scale.name),
                "skos:hasTopConcept": [level_id(scale.key, level.key) for level in levels],
            }
        )
        for level in levels:
            concept = {
                "@id": level_id(scale.key, level.key),
                "@type": "skos:Concept",
                "skos:prefLabel": _text(level.name),
                "skos:notation": str(level.position),
                "skos:inScheme": scheme_id,
                "skos:topConceptOf": scheme_id,
            }
            if level.role_label:
                concept["skos:altLabel"] = {LANGUAGE: [level.role_label]}
            schemes.append(concept)
    return {"@context": CONTEXT, "@graph": [framework_node, *schemes, *competencies]}
