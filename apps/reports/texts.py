"""The words of the report: phase names, the health formula, each finding.

The pure core gives codes and figures; this module turns them into
translated sentences for the page and the PDF.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .duration import format_duration

# The parts of the split of a run's time, by the SOP's own phase titles
# (``apps.workflows.sop.PHASE_TITLES``). Resolve and Close are cut at the
# moment the incident is resolved, not at the phase of each step as the
# SOP's are, so their names say so: the same run's Resolve in the SOP
# beside it can be longer.
SPLIT_NAMES = {
    "log": gettext_lazy("Log"),
    "triage": gettext_lazy("Triage"),
    "investigate": gettext_lazy("Investigate"),
    "resolve": gettext_lazy("Resolve (until resolved)"),
    "close": gettext_lazy("Close (after resolved)"),
}

HEALTH_PART_NAMES = {
    "consistency": gettext_lazy("Consistency"),
    "flow": gettext_lazy("Flow"),
    "handoffs": gettext_lazy("Hand-offs"),
    "documentation": gettext_lazy("Documentation"),
    "rework": gettext_lazy("No rework"),
}

FINDING_NAMES = {
    "bottleneck": gettext_lazy("Bottleneck"),
    "rework": gettext_lazy("Rework"),
    "handoff_ping_pong": gettext_lazy("Hand-off ping-pong"),
    "variance": gettext_lazy("Variance"),
    "missing_documentation": gettext_lazy("Missing documentation"),
}

RULE_OUTCOMES = {
    "followed": gettext_lazy("followed"),
    "broken": gettext_lazy("broken"),
    "not_observed": gettext_lazy("not seen in the run"),
    "not_applicable": gettext_lazy("does not apply"),
}


def health_formula(*, imported=False):
    if imported:
        return _(
            "The score adds four parts, each worth a share of 100 points and "
            "rounded to whole points here: consistency (25) is 1 minus the "
            "mean distance of the incidents' paths of states from the most "
            "common one; flow (25) is 1 minus the share of resolution time "
            "spent waiting in an Awaiting state, hand-off waits apart; "
            "hand-offs (20) is 1 divided by 1 plus the mean number of moves "
            "between assignment groups per incident; no rework (15) is the "
            "share of incidents never reopened. Documentation (15) does not "
            "apply, so the score is scaled to 100 over the other 85 points."
        )
    return _(
        "The score adds five parts, each worth a share of 100 points and "
        "rounded to whole points here: "
        "consistency (25) is 1 minus the mean distance of the runs from the "
        "most common path; flow (25) is 1 minus the share of resolution time "
        "spent in idle waits, hand-off waits apart; hand-offs (20) is 1 "
        "divided by 1 plus the mean "
        "number of ownership moves per run; documentation (15) is the share "
        "of triage choices and notes the agent wrote that have a recorded "
        "rule (a note never has one); no "
        "rework (15) is the share of runs that redo no action. A part that "
        "does not apply to a kind of report is left out, and the score is "
        "scaled to 100 over the parts that apply."
    )


# Why a part of the health score does not apply, by part: only an imported
# history leaves one out (``findings.NOT_APPLICABLE``).
HEALTH_LEFT_OUT = {
    "documentation": gettext_lazy(
        "Documentation is left out: an imported history records no rule "
        "behind any choice, so the score is scaled to 100 over the other "
        "%(points)s points."
    ),
}


def health_left_out(name, points):
    """Return the line saying part ``name`` is left out, over ``points`` left."""
    return HEALTH_LEFT_OUT[name] % {"points": points}


def _steps(finding, labels):
    return ", ".join(labels.get(key, key) for key in finding["steps"]) or "–"


def finding_summary(finding, labels, *, imported=False):
    """Return what was observed, in one sentence.

    ``imported`` says the runs are incidents of an imported history.
    """
    params = finding["params"]
    steps = _steps(finding, labels)
    kind = finding["type"]
    if kind == "bottleneck":
        return _bottleneck_summary(params, steps, imported)
    if kind == "rework" and imported:
        return _(
            "Incidents went back to %(steps)s after they had moved past it "
            "(reopened) in %(runs)s."
        ) % {"steps": steps, "runs": _runs(params["runs"], imported)}
    if kind == "rework":
        return _("%(steps)s is done again after other steps in %(runs)s.") % {
            "steps": steps,
            "runs": _runs(params["runs"], imported),
        }
    if kind == "handoff_ping_pong" and "groups" in params:
        return _bounced_summary(params)
    if kind == "handoff_ping_pong":
        return _(
            "After %(steps)s, ownership went back to an earlier team or owner "
            "in %(runs)s."
        ) % {"steps": steps, "runs": _runs(params["runs"], imported)}
    if kind == "variance":
        if imported:
            sentence = _(
                "The incidents follow %(variants)s different paths, on average "
                "%(distance)s of the states away from the most common one."
            )
        else:
            sentence = _(
                "The runs follow %(variants)s different paths, on average "
                "%(distance)s of the steps away from the most common one."
            )
        return sentence % {
            "variants": params["variants"],
            "distance": f"{params['mean_distance']:.0%}",
        }
    return _documentation_summary(params, labels, imported)


def _runs(count, imported):
    """Return "3 incidents" for an imported history, else "3 runs"."""
    if imported:
        return ngettext("%(n)s incident", "%(n)s incidents", count) % {"n": count}
    return ngettext("%(n)s run", "%(n)s runs", count) % {"n": count}


def _bounced_figures(params):
    first, second = params["groups"]
    return {
        "first": first,
        "second": second,
        "runs": _runs(params["runs"], True),
        "times": ngettext("sent back once", "sent back %(n)s times", params["times"])
        % {"n": params["times"]},
        "time": format_duration(params["median_resolution_ms"]),
        "rest": format_duration(params["rest_median_resolution_ms"]),
        "others": params["rest_runs"],
    }


def _bounced_summary(params):
    """Return the sentence of one pair of groups incidents bounced between."""
    figures = _bounced_figures(params)
    sentence = _(
        "%(runs)s went back and forth between %(first)s and %(second)s (%(times)s)"
    )
    if params["median_resolution_ms"] is None:
        return (sentence + _("; none of them is resolved yet.")) % figures
    if params["rest_median_resolution_ms"] is None:
        return (sentence + _("; they took a median of %(time)s to resolve.")) % figures
    return (
        sentence
        + _(
            "; they took a median of %(time)s to resolve, against %(rest)s "
            "for the %(others)s resolved incidents never sent back to an "
            "earlier group."
        )
    ) % figures


def _bounced_item(params):
    """Return one pair of groups among many, with its own figures."""
    figures = _bounced_figures(params)
    if params["median_resolution_ms"] is None:
        return (
            _("%(first)s and %(second)s: %(runs)s, %(times)s, none resolved yet")
            % figures
        )
    return (
        _(
            "%(first)s and %(second)s: %(runs)s, %(times)s, a median of %(time)s "
            "to resolve"
        )
        % figures
    )


def finding_item(finding, labels, *, imported=False):
    """Return one case of a finding given once over many: its step and count.

    A bottleneck's case keeps its whole sentence: its figures are its own.
    """
    if finding["type"] == "handoff_ping_pong" and "groups" in finding["params"]:
        return _bounced_item(finding["params"])
    if finding["type"] not in ("rework", "handoff_ping_pong"):
        return finding_summary(finding, labels, imported=imported)
    return _("%(steps)s (%(runs)s)") % {
        "steps": _steps(finding, labels),
        "runs": _runs(finding["params"]["runs"], imported),
    }


# What the cases of one kind of finding have in common, said once above them.
GROUP_SUMMARIES = {
    "bottleneck": gettext_lazy(
        "%(n)s steps or hand-off waits take a large share of the resolution "
        "time, the longest first:"
    ),
    "rework": gettext_lazy(
        "%(n)s steps are done again after other steps, the most often redone first:"
    ),
    "handoff_ping_pong": gettext_lazy(
        "After an assignment to one of %(n)s different teams or owners, "
        "ownership later went back to an earlier one; the most frequent first:"
    ),
}


# The same, where the cases are incidents of an imported history.
IMPORTED_GROUP_SUMMARIES = {
    "bottleneck": gettext_lazy(
        "%(n)s states take a large share of the resolution time, the longest first:"
    ),
    "rework": gettext_lazy(
        "Incidents went back to %(n)s states after they had moved past them "
        "(reopened), the most often first:"
    ),
}


def finding_group_summary(kind, count, *, imported=False, params=None):
    """Return the sentence over the ``count`` cases of one kind of finding.

    ``params`` are those of one of the cases, for what all of them share.
    """
    if kind == "handoff_ping_pong" and params and "groups" in params:
        return _bounced_group_summary(count, params)
    summaries = IMPORTED_GROUP_SUMMARIES if imported else {}
    return summaries.get(kind, GROUP_SUMMARIES[kind]) % {"n": count}


def _bounced_group_summary(count, params):
    figures = {"n": count, **_bounced_figures(params)}
    sentence = _(
        "Incidents went back and forth between %(n)s pairs of assignment "
        "groups: handed from one to the other and later back again."
    )
    if params["rest_median_resolution_ms"] is not None:
        sentence += " " + _(
            "The %(others)s resolved incidents never sent back to an earlier "
            "group took a median of %(rest)s to resolve."
        )
    return (sentence + " " + _("The pairs with the most incidents first:")) % figures


def _bottleneck_summary(params, steps, imported):
    figures = {
        "steps": steps,
        "time": format_duration(params["median_ms"]),
        "resolution": format_duration(params["resolution_ms"]),
        "runs": params.get("runs"),
        "of": params["of"],
        "transitions": params.get("transitions"),
    }
    if "transitions" in params:
        return _transition_summary(figures, imported)
    # A stored report of an older version may still name a hand-off wait.
    if imported and not params.get("handoff"):
        return _state_bottleneck(params) % figures
    return f"{_bottleneck_what(params)} {_bottleneck_over(params, imported)}" % (
        figures
    )


def _state_bottleneck(params):
    """Return the sentence of a state of an imported history.

    Its median is over the incidents that passed through the state, and is
    set against those incidents' own resolution time.
    """
    if params["of"] == 1:
        return _(
            "The incident spent %(time)s in %(steps)s, of a resolution time "
            "of %(resolution)s."
        )
    if params["runs"] == params["of"]:
        return _(
            "All %(runs)s resolved incidents passed through %(steps)s and "
            "spent a median of %(time)s in it; they took a median of "
            "%(resolution)s to resolve."
        )
    if params["runs"] == 1:
        return _(
            "The one incident of %(of)s resolved that passed through %(steps)s "
            "spent %(time)s in it and took %(resolution)s to resolve."
        )
    return _(
        "The %(runs)s incidents that passed through %(steps)s (of %(of)s "
        "resolved) spent a median of %(time)s in it; those incidents took a "
        "median of %(resolution)s to resolve."
    )


def _bottleneck_what(params):
    # One run shows what happened once, not what is typical.
    once = params["runs"] == 1
    if params.get("handoff"):
        if once:
            return _("The hand-off wait after %(steps)s was %(time)s,")
        return _("The hand-off wait after %(steps)s is a median of %(time)s")
    if once:
        return _("%(steps)s took %(time)s")
    return _("%(steps)s takes a median of %(time)s")


def _bottleneck_over(params, imported):
    """Return which runs the figure is over, and their resolution time.

    The median is over the runs that have the step, not over all runs: it is
    set against those runs' own resolution time, and says so.
    """
    if params["of"] == 1:
        return _("of a resolution time of %(resolution)s.")
    if params["runs"] == params["of"] == 2:
        return _("in both runs, which took a median of %(resolution)s to resolve.")
    if params["runs"] == params["of"]:
        return _(
            "in all %(runs)s runs, which took a median of %(resolution)s to resolve."
        )
    if params["runs"] == 1:
        return _(
            "in the one run of %(of)s that had this step, which took "
            "%(resolution)s to resolve."
        )
    return _(
        "over the %(runs)s runs that had this step (of %(of)s); those runs "
        "took a median of %(resolution)s to resolve."
    )


def _transition_summary(figures, imported):
    if imported:
        return (
            _(
                "The time between %(steps)s, in neither state, is a median "
                "of %(time)s over %(transitions)s transitions, against a median "
                "resolution time of %(resolution)s over all %(of)s resolved "
                "incidents."
            )
            % figures
        )
    return (
        _(
            "The time between %(steps)s, that no step accounts for, is a median of "
            "%(time)s over %(transitions)s transitions, against a median "
            "resolution time of %(resolution)s over all %(of)s runs."
        )
        % figures
    )


def _documentation_summary(params, labels, imported):
    # The report's labels name each step over all runs; the finding's own
    # serve where the report has none.
    labels = {**params.get("labels", {}), **labels}
    parts = []
    if params["decisions"]:
        parts.append(
            _("choices without a recorded rule: %(steps)s")
            % {"steps": _steps({"steps": params["decisions"]}, labels)}
        )
    if params["notes"]:
        parts.append(
            _("steps known only from a note the agent wrote: %(steps)s")
            % {"steps": _steps({"steps": params["notes"]}, labels)}
        )
    return _("In %(runs)s, %(parts)s.") % {
        "runs": _runs(params["runs"], imported),
        "parts": "; ".join(parts),
    }


def finding_recommendation(finding, *, imported=False):
    kind = finding["type"]
    if kind == "bottleneck" and imported:
        return _(
            "Look at what incidents in this state wait for; chase or automate "
            "it, or alert when an incident stays in it long."
        )
    if kind == "bottleneck":
        return _(
            "Look at what this step waits for; automate or parallelise the "
            "slow part, or alert when it runs long."
        )
    if kind == "rework" and imported:
        return _(
            "Find out why these incidents were reopened: confirm the fix with "
            "the caller before resolving, and record what resolved it."
        )
    if kind == "rework":
        return _(
            "Find out why the step is redone: add the missing check before it "
            "or make its outcome clearer."
        )
    if kind == "handoff_ping_pong" and imported:
        return _(
            "Agree which of these groups owns this kind of incident and "
            "suggest it at triage, so that it is assigned once and not sent "
            "back."
        )
    if kind == "handoff_ping_pong":
        return _(
            "Write down which team owns this kind of incident and suggest it "
            "at triage, so it is assigned once."
        )
    if kind == "variance" and imported:
        return _(
            "Agree on one path, publish it as the SOP and check new incidents "
            "against it."
        )
    if kind == "variance":
        return _(
            "Agree on one path, publish it as the SOP and check new runs against it."
        )
    params = finding["params"]
    advice = []
    if params["decisions"]:
        advice.append(
            _(
                "Write the rule behind each of these choices into the SOP, so "
                "that every agent decides the same way."
            )
        )
    if params["notes"]:
        advice.append(
            _(
                "Write into the SOP what was done where the agent only wrote a "
                "note: what to do, what to check and what to record."
            )
        )
    return " ".join(advice)
