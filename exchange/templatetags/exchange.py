from django import template

from exchange import schema_org

register = template.Library()


@register.simple_tag(takes_context=True)
def occupation_json_ld(context, occupation, framework):
    """The page's schema.org Occupation, escaped for its script element (one query: the statements)."""
    page_url = context["request"].build_absolute_uri(occupation.get_absolute_url())
    return schema_org.script_json(schema_org.occupation_linked_data(occupation, framework, page_url))
