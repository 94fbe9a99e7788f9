"""A framework as a 1EdTech CASE 1.1 CFPackage, the CFDocuments listing, and each object of a package.

The tree is the page's: document, section, domain (in sections that group by domain), level, statement,
each child linked to its parent by an isChildOf association. Every identifier is a UUID derived from
natural keys (statements keep their own uid), so re-importing a framework never changes one.

Every object of a package that carries a `uri` is also served at that address, taken from the package
itself so that both say the same. The shapes follow the CASE 1.1 REST binding's OpenAPI file
(purl.imsglobal.org/spec/case/v1p1/schema/openapi/imscasev1p1_openapi3_v1p0.json) and OpenSALT's
CaseV1P1Controller, which implements it:

- CFDocuments/{id}: the CFDocument with `CFPackageURI`, which CFDocumentDType requires (as each entry of
  the CFDocuments listing has it).
- CFItems/{id}: the CFItem with `CFDocumentURI`, which CFItemDType requires; CFAssociations/{id}: the
  CFAssociation with `CFDocumentURI`, which CFAssociationDType allows.
- CFItemAssociations/{id}: CFAssociationSetDType, `{"CFItem": ..., "CFAssociations": [...]}`, every
  association of the package whose origin or destination is the item, as the package has them.
- CFItemTypes/{id}, CFSubjects/{id}: the set types, `{"CFItemTypes": [...]}`: the requested definition
  first, then its children by `hierarchyCode`. Our hierarchy codes are flat (1-4, a SOC code), so the set
  is the one definition. No package references concepts, licences or association groupings.
- CFRubrics/{id}: the CFRubric, criteria and levels inside. CFRubricCriteria/{id} and
  CFRubricCriterionLevels/{id} are not in the binding; OpenSALT serves them, each object bare, and so do
  we, since the package gives them addresses.

Published and archived frameworks are served alike, so that an identifier a consumer holds keeps
answering once a later version is published: an archived one's CFDocument says Deprecated. Item types are
the same in every package and a subject in every version of an occupation's framework; their address
serves the most recently published framework's copy.
"""

from itertools import groupby

from exchange.identifiers import derived, framework_identifier
from exchange.publication import PUBLISHER, iso_datetime
from frameworks.models import Framework

CASE_ROOT = "/ims/case/v1p1/"
LANGUAGE = "en"
ADOPTION_STATUS = {
    Framework.Status.DRAFT: "Draft",
    Framework.Status.IN_REVIEW: "Draft",
    Framework.Status.PUBLISHED: "Adopted",
    Framework.Status.ARCHIVED: "Deprecated",
}
ONET_ATTRIBUTION = "Incorporates information from O*NET (USDOL/ETA), used under CC BY 4.0."
ITEM_TYPES = {
    "Section": "A part of the framework, shown as a tab of its page.",
    "Domain": "A durable-skill domain that groups the statements of a section.",
    "Level": "A level of the section's proficiency scale.",
    "Statement": "A skill statement: what a worker at this level does.",
}

# Definitions are answered as sets (CFItemTypeSetDType, CFSubjectSetDType).
DEFINITION_SETS = ("CFItemTypes", "CFSubjects")

# getAllCFDocuments: the binding's default page size, and the CFDocument fields it sorts by (as text).
DOCUMENTS_PER_PAGE = 100
SORT_FIELDS = ("identifier", "title", "version", "adoptionStatus", "statusStartDate", "lastChangeDateTime")
# The fields of the binding's CFDocumentDType, which getAllCFDocuments' `fields` selects from.
DOCUMENT_FIELDS = frozenset(
    {
        *("identifier", "uri", "frameworkType", "caseVersion", "creator", "title", "lastChangeDateTime"),
        *("officialSourceURL", "publisher", "description", "subject", "subjectURI", "language", "version"),
        *("adoptionStatus", "statusStartDate", "statusEndDate", "licenseURI", "notes", "CFPackageURI"),
        "extensions",
    }
)


def base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def _uri(base, collection, identifier):
    return f"{base}{CASE_ROOT}{collection}/{identifier}"


def package_uri(base, framework):
    return _uri(base, "CFPackages", framework_identifier(framework))


def _link(title, identifier, uri):
    return {"title": title, "identifier": str(identifier), "uri": uri}


def _link_to(document):
    return _link(document["title"], document["identifier"], document["uri"])


def cf_document(framework, base):
    """The CFDocument of a framework, as a CFPackage holds it."""
    occupation = framework.occupation
    identifier = framework_identifier(framework)
    document = {
        "identifier": str(identifier),
        "uri": _uri(base, "CFDocuments", identifier),
        "frameworkType": "Occupational skills framework",
        "caseVersion": "1.1",
        "creator": PUBLISHER,
        "title": f"{occupation.title} skills framework",
        "lastChangeDateTime": iso_datetime(framework.updated_at),
        "officialSourceURL": base + official_page(framework),
        "publisher": PUBLISHER,
        "description": framework.context_covered,
        "subject": [occupation.title],
        "subjectURI": [
            _link(occupation.title, _subject_identifier(occupation), _subject_uri(base, occupation))
        ],
        "language": LANGUAGE,
        "version": framework.version,
        "adoptionStatus": ADOPTION_STATUS[framework.status],
        "notes": f"O*NET-SOC {occupation.soc_code}. {ONET_ATTRIBUTION}",
    }
    if framework.status == Framework.Status.ARCHIVED:
        # Deprecated since it was archived: an archived version is read-only, so that was its last change.
        document["statusStartDate"] = framework.updated_at.date().isoformat()
    elif framework.published_at:
        document["statusStartDate"] = framework.published_at.date().isoformat()
    return document


def official_page(framework):
    """The page showing what the document holds: an archived version's own, else the occupation's."""
    if framework.status == Framework.Status.ARCHIVED:
        return framework.get_version_url()
    return framework.get_absolute_url()


def standalone_document(framework, base):
    """getCFDocument: the package's CFDocument with the address of its package."""
    document = cf_document(framework, base)
    document["CFPackageURI"] = _link(document["title"], document["identifier"], package_uri(base, framework))
    return document


def documents_listing(frameworks, base, *, limit, offset=0, sort=None, descending=False, fields=None):
    """getAllCFDocuments: a page of the documents, each with the address of its package, and how many
    documents there are in all (the binding's X-Total-Count).

    Sorting by one of SORT_FIELDS is stable: documents that tie keep the order of `frameworks`. Any other
    `sort` keeps that order too, as the binding asks for a field the service does not sort by. `fields`,
    a set of DOCUMENT_FIELDS, keeps those alone of each document; None keeps every field.
    """
    documents = [standalone_document(framework, base) for framework in frameworks]
    if sort in SORT_FIELDS:
        documents.sort(key=lambda document: document.get(sort, ""), reverse=descending)
    page = documents[offset : offset + limit]
    if fields:
        page = [{name: value for name, value in document.items() if name in fields} for document in page]
    return {"CFDocuments": page}, len(documents)


def _subject_identifier(occupation):
    return derived("case", "subject", occupation.soc_code)


def _subject_uri(base, occupation):
    return _uri(base, "CFSubjects", _subject_identifier(occupation))


class _PackageBuilder:
    def __init__(self, contents, base):
        self.contents = contents
        self.framework = contents.framework
        self.base = base
        self.changed = iso_datetime(self.framework.updated_at)
        self.document = cf_document(self.framework, base)
        self.items = []
        self.associations = []
        self.item_types = {}
        for name in ITEM_TYPES:
            identifier = derived("case", "item-type", name)
            self.item_types[name] = _link(name, identifier, _uri(base, "CFItemTypes", identifier))
        self.section_nodes = {}

    def identifier(self, *parts):
        return derived("case", self.contents.occupation.soc_code, self.framework.version, *parts)

    def add_item(self, identifier, item_type, full_statement, **fields):
        uri = _uri(self.base, "CFItems", identifier)
        self.items.append(
            {
                "identifier": str(identifier),
                "fullStatement": full_statement,
                "CFItemType": item_type,
                "CFItemTypeURI": self.item_types[item_type],
                "uri": uri,
                "language": LANGUAGE,
                "lastChangeDateTime": self.changed,
                **{name: value for name, value in fields.items() if value},
            }
        )
        return _link(full_statement, identifier, uri)

    def child_of(self, child, parent, sequence):
        identifier = derived("case", "association", child["identifier"], "isChildOf", parent["identifier"])
        self.associations.append(
            {
                "identifier": str(identifier),
                "associationType": "isChildOf",
                "sequenceNumber": sequence,
                "uri": _uri(self.base, "CFAssociations", identifier),
                "originNodeURI": child,
                "destinationNodeURI": parent,
                "lastChangeDateTime": self.changed,
            }
        )

    def build(self):
        root = _link_to(self.document)
        sections = []
        for number, (section, in_section) in enumerate(
            groupby(self.contents.statements, key=lambda statement: statement.section), start=1
        ):
            sections.append(section)
            node = self.add_item(
                self.identifier("section", section.key),
                "Section",
                section.name,
                notes=section.description,
                humanCodingScheme=section.key,
                listEnumeration=str(number),
            )
            self.child_of(node, root, number)
            self.section_nodes[section.key] = node
            statements = list(in_section)
            if section.uses_domains:
                for place, (domain, in_domain) in enumerate(
                    groupby(statements, key=lambda s: s.domain), start=1
                ):
                    domain_node = self.add_item(
                        self.identifier("domain", section.key, domain.key),
                        "Domain",
                        domain.name,
                        notes=domain.description,
                        humanCodingScheme=f"{section.key}.{domain.key}",
                        listEnumeration=str(place),
                    )
                    self.child_of(domain_node, node, place)
                    self.add_levels(section, domain, domain_node, list(in_domain))
            else:
                self.add_levels(section, None, node, statements)
        return {
            "CFDocument": self.document,
            "CFItems": self.items,
            "CFAssociations": self.associations,
            "CFDefinitions": self.definitions(),
            "CFRubrics": self.rubrics(sections),
        }

    def add_levels(self, section, domain, parent, statements):
        prefix = f"{section.key}.{domain.key}" if domain else section.key
        for level in self.contents.levels_of(section):
            node = self.add_item(
                self.identifier("level", section.key, domain.key if domain else "", level.key),
                "Level",
                level.name,
                notes=level.role_label if section.shows_role_labels else "",
                humanCodingScheme=f"{prefix}.{level.key}",
                listEnumeration=str(level.position),
            )
            self.child_of(node, parent, level.position)
            for statement in statements:
                if statement.level_id != level.pk:
                    continue
                sources = "; ".join(citation.source.label for citation in statement.citations.all())
                item = self.add_item(
                    statement.uid,
                    "Statement",
                    statement.text,
                    abbreviatedStatement=statement.title,
                    humanCodingScheme=f"{prefix}.{level.key}.{statement.position}",
                    listEnumeration=str(statement.position),
                    notes=f"Sources: {sources}" if sources else "",
                )
                self.child_of(item, node, statement.position)

    def definitions(self):
        occupation = self.contents.occupation
        return {
            "CFSubjects": [
                {
                    "identifier": str(_subject_identifier(occupation)),
                    "uri": _subject_uri(self.base, occupation),
                    "title": occupation.title,
                    "hierarchyCode": occupation.soc_code,
                    "description": f"O*NET-SOC occupation {occupation.soc_code}",
                    "lastChangeDateTime": self.changed,
                }
            ],
            "CFItemTypes": [
                {
                    **self.item_types[name],
                    "description": description,
                    "hierarchyCode": str(number),
                    "typeCode": name.lower(),
                    "lastChangeDateTime": self.changed,
                }
                for number, (name, description) in enumerate(ITEM_TYPES.items(), start=1)
            ],
        }

    def rubrics(self, sections):
        """A rubric per scale, a criterion per section on it, a criterion level per level of the scale."""
        rubrics = {}
        for section in sections:
            scale = section.scale
            if scale.key not in rubrics:
                identifier = self.identifier("rubric", scale.key)
                rubrics[scale.key] = {
                    "identifier": str(identifier),
                    "uri": _uri(self.base, "CFRubrics", identifier),
                    "title": scale.name,
                    "description": f"The levels of the {scale.name} scale.",
                    "lastChangeDateTime": self.changed,
                    "CFRubricCriteria": [],
                }
            rubric = rubrics[scale.key]
            criterion_id = self.identifier("criterion", section.key)
            rubric["CFRubricCriteria"].append(
                {
                    "identifier": str(criterion_id),
                    "uri": _uri(self.base, "CFRubricCriteria", criterion_id),
                    "category": section.name,
                    "description": f"{section.name}, at the levels of the {scale.name} scale.",
                    "CFItemURI": self.section_nodes[section.key],
                    "position": len(rubric["CFRubricCriteria"]) + 1,
                    "rubricId": rubric["identifier"],
                    "lastChangeDateTime": self.changed,
                    "CFRubricCriterionLevels": [
                        self.criterion_level(criterion_id, section, level)
                        for level in self.contents.levels_of(section)
                    ],
                }
            )
        return list(rubrics.values())

    def criterion_level(self, criterion_id, section, level):
        identifier = self.identifier("criterion-level", section.key, level.key)
        return {
            "identifier": str(identifier),
            "uri": _uri(self.base, "CFRubricCriterionLevels", identifier),
            "quality": level.name,
            "description": level.role_label or level.name,
            "score": float(level.position),
            "position": level.position,
            "rubricCriterionId": str(criterion_id),
            "lastChangeDateTime": self.changed,
        }


def cf_package(contents, base):
    return _PackageBuilder(contents, base).build()


def package_objects(package):
    """Every object of a package that has an address of its own, as (collection, object)."""
    yield "CFDocuments", package["CFDocument"]
    for item in package["CFItems"]:
        yield "CFItems", item
    for association in package["CFAssociations"]:
        yield "CFAssociations", association
    for collection, definitions in package["CFDefinitions"].items():
        for definition in definitions:
            yield collection, definition
    for rubric in package["CFRubrics"]:
        yield "CFRubrics", rubric
        for criterion in rubric["CFRubricCriteria"]:
            yield "CFRubricCriteria", criterion
            for level in criterion["CFRubricCriterionLevels"]:
                yield "CFRubricCriterionLevels", level


def served_object(package, collection, identifier):
    """What the object's own address answers (see the module docstring), or None if the package has none."""
    identifier = str(identifier)
    found = next(
        (
            candidate
            for in_collection, candidate in package_objects(package)
            if in_collection == collection and candidate["identifier"] == identifier
        ),
        None,
    )
    if found is None:
        return None
    if collection in ("CFItems", "CFAssociations"):
        return {**found, "CFDocumentURI": _link_to(package["CFDocument"])}
    if collection in DEFINITION_SETS:
        return {collection: [found]}
    return found


def item_associations(package, identifier):
    """getCFItemAssociations: the item and every association of the package that names it, or None."""
    item = served_object(package, "CFItems", identifier)
    if item is None:
        return None
    return {
        "CFItem": item,
        "CFAssociations": [
            association
            for association in package["CFAssociations"]
            if item["identifier"]
            in (association["originNodeURI"]["identifier"], association["destinationNodeURI"]["identifier"])
        ],
    }
