from django import template

register = template.Library()

# The pages of templates/accounts/_settings_nav.html, by URL name: the top
# bar's Settings link marks them all as its section.
SETTINGS_PAGES = frozenset(
    {
        "member_list",
        "api_token_list",
        "api_token_created",
        "share_link_list",
        "system_rule_list",
        "plan_usage",
        "profile",
    }
)


@register.filter
def is_settings_page(url_name):
    return url_name in SETTINGS_PAGES
