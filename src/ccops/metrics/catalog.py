"""The metric catalog: every KPI declared once (names, formula, unit, direction, target, cuts).

A metric is a count (the sum of one additive measure) or a ratio of two measures; ratios are always
computed as sum(numerator) ÷ sum(denominator) over the group, never as an average of ratios, so any
roll-up (intervals to days, two halves of a data set) gives the same figure as computing directly.
The measures themselves — per contact or per agent-state second — are Ibis expressions in
`ccops.metrics.compile`. Defaults come from the project glossary (GLOSSARY.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from ccops.metrics.dimensions import AGENT_DIMENSIONS, CONTACT_DIMENSIONS
from ccops.metrics.errors import MetricUnavailableError, UnknownMetricError

Unit = Literal[
    "contacts", "ratio", "seconds", "hours", "contacts_per_hour", "currency_per_contact", "score"
]
Better = Literal["higher", "lower"]
Source = Literal["contacts", "agent_states", "qa_evaluations", "schedules"]

OFFERED = ("contact.offered",)
ANSWER = ("contact.offered", "contact.answered")
ABANDON = ("contact.offered", "contact.abandoned", "contact.ended")
HANDLE = ("contact.answered", "contact.ended", "contact.wrapped")
STATES = ("agent.state",)
QA = ("contact.offered", "contact.answered")  # plus the quality module's evaluations


@dataclass(frozen=True, slots=True)
class Measure:
    """An additive quantity summed over a group: per contact, or seconds of agent state."""

    id: str
    source: Source
    description: str


MEASURES: dict[str, Measure] = {
    m.id: m
    for m in (
        Measure("offered", "contacts", "1 for a contact that entered a queue (not IVR-contained)"),
        Measure("ivr_contained", "contacts", "1 for a contact whose outcome is contained_in_ivr"),
        Measure("answered", "contacts", "1 for an offered contact an agent answered"),
        Measure("handled", "contacts", "1 for an answered contact whose conversation ended"),
        Measure("abandoned", "contacts", "1 for an unanswered contact abandoned at wait ≥ S"),
        Measure("short_abandoned", "contacts", "1 for an unanswered contact abandoned at wait < S"),
        Measure("sl_answered", "contacts", "1 for an answered contact with wait ≤ T"),
        Measure("sl_offered", "contacts", "offered − short_abandoned (per contact: 1 or 0)"),
        Measure("answered_wait_seconds", "contacts", "queue wait of an answered contact"),
        Measure("talk_seconds", "contacts", "talk seconds of a handled contact"),
        Measure("hold_seconds", "contacts", "hold seconds of a handled contact"),
        Measure("acw_seconds", "contacts", "after-call-work seconds of a handled contact"),
        Measure("handle_seconds", "contacts", "talk + hold + after-call work of a handled contact"),
        Measure("transferred", "contacts", "1 for a handled contact whose outcome is transferred"),
        Measure("fcr_eligible", "contacts", "1 for a handled contact with a known customer"),
        Measure("fcr_resolved", "contacts", "1 for an eligible contact with no repeat in 7 days"),
        Measure("handle_time", "agent_states", "seconds in talking, holding, after_call_work"),
        Measure("idle_time", "agent_states", "seconds in available or ringing"),
        Measure("staffed_time", "agent_states", "handle_time + idle_time"),
        Measure("logged_in_time", "agent_states", "seconds in any state but offline"),
        Measure("agent_cost", "agent_states", "logged-in hours × the agent's cost_rate_per_hour"),
        Measure(
            "qa_evaluated",
            "qa_evaluations",
            "1 for a counted QA evaluation (not void, not calibration) with its accuracy flag set",
        ),
        Measure(
            "qa_accurate", "qa_evaluations", "1 for a counted QA evaluation with no accuracy defect"
        ),
        Measure("scheduled_seconds", "schedules", "seconds of any activity in a current schedule"),
        Measure("scheduled_work_seconds", "schedules", "seconds scheduled to work (on the phone)"),
        Measure(
            "adherent_seconds",
            "schedules",
            "scheduled seconds in the scheduled activity's state (work: available or handling)",
        ),
        Measure(
            "worked_seconds",
            "schedules",
            "seconds available or handling by scheduled agents within their schedule's period",
        ),
        Measure(
            "shrinkage_seconds",
            "schedules",
            "scheduled seconds not on the phones: planned and unplanned shrinkage seconds",
        ),
        Measure(
            "planned_shrinkage_seconds",
            "schedules",
            "scheduled seconds of activities other than work (breaks, lunch, training, meetings)",
        ),
        Measure(
            "unplanned_shrinkage_seconds",
            "schedules",
            "seconds scheduled to work in which the agent was not available or handling",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Metric:
    """One KPI, declared once: what it means, how it is computed, how it may be cut."""

    id: str
    name_en: str
    name_zh: str
    formula: str
    unit: Unit
    better: Better | None
    numerator: str | None
    denominator: str | None = None
    scale: float = 1.0
    target: float | None = None
    target_note: str = ""
    events: tuple[str, ...] = ()
    requires: str | None = None
    notes: str = ""
    dimensions: frozenset[str] = field(default=CONTACT_DIMENSIONS)
    formula_zh: str = ""
    target_note_zh: str = ""
    notes_zh: str = ""

    @property
    def is_ratio(self) -> bool:
        """Whether the metric is sum(numerator) ÷ sum(denominator)."""
        return self.denominator is not None

    @property
    def measures(self) -> tuple[str, ...]:
        """The measure ids this metric needs."""
        return tuple(m for m in (self.numerator, self.denominator) if m is not None)

    @property
    def sources(self) -> frozenset[Source]:
        """The fact tables behind this metric."""
        return frozenset(MEASURES[m].source for m in self.measures)

    def value(self, sums: dict[str, float | None]) -> float | None:
        """The metric from summed measures; None where a ratio's denominator is zero."""
        if self.numerator is None:
            return None
        num = sums.get(self.numerator, 0)  # absent: nothing counted; None: nothing known
        if num is None:
            return None
        if self.denominator is None:
            return num
        den = sums.get(self.denominator, 0) or 0
        return num * self.scale / den if den else None


def _count(
    mid: str, en: str, zh: str, formula: str, events: tuple[str, ...], **kw: object
) -> Metric:
    return Metric(mid, en, zh, formula, "contacts", None, mid, events=events, **kw)  # type: ignore[arg-type]


_CATALOG: tuple[Metric, ...] = (
    _count("offered", "Offered", "呼入量", "Contacts that entered a queue (IVR-contained contacts "
           "are counted apart, as ivr_contained).", OFFERED),
    _count("ivr_contained", "IVR contained", "自助语音完成量",
           "Contacts whose outcome is contained_in_ivr (served by self-service).",
           ("contact.offered", "contact.ended")),
    _count("answered", "Answered", "接通量", "Offered contacts an agent answered.", ANSWER),
    _count("handled", "Handled", "处理量",
           "Answered contacts whose conversation ended (outcome handled or transferred).",
           ANSWER + HANDLE),
    _count("abandoned", "Abandoned", "放弃量",
           "Unanswered contacts abandoned after waiting at least the queue's short-abandon "
           "threshold S (default 5 s).", ABANDON),
    _count("short_abandoned", "Short abandoned", "短时放弃量",
           "Unanswered contacts abandoned after waiting less than the queue's S seconds; they "
           "are left out of service-level and abandonment denominators.", ABANDON),
    Metric("service_level", "Service level", "服务水平",
           "Contacts answered within the queue's threshold T (wait ≤ T; default 20 s) ÷ "
           "(offered − short abandons).", "ratio", "higher", "sl_answered", "sl_offered",
           target=0.8, target_note="per queue: queues.sl_target",
           events=ANSWER + ("contact.abandoned",)),
    Metric("asa_seconds", "Average speed of answer", "平均应答速度",
           "Total queue wait of answered contacts ÷ answered contacts.", "seconds", "lower",
           "answered_wait_seconds", "answered", target=20.0,
           target_note="commonly the queue's T", events=ANSWER),
    Metric("abandon_rate", "Abandonment rate", "放弃率",
           "Contacts abandoned after S seconds ÷ (offered − short abandons).", "ratio", "lower",
           "abandoned", "sl_offered", target=0.05, events=ABANDON),
    Metric("aht_seconds", "Average handle time", "平均处理时长",
           "(Talk + hold + after-call work) ÷ handled contacts.", "seconds", "lower",
           "handle_seconds", "handled", target=300.0, events=HANDLE),
    Metric("talk_seconds", "Average talk time", "平均通话时长",
           "Talk seconds of handled contacts ÷ handled contacts.", "seconds", "lower",
           "talk_seconds", "handled", events=HANDLE),
    Metric("hold_seconds", "Average hold time", "平均保持时长",
           "Hold seconds of handled contacts ÷ handled contacts.", "seconds", "lower",
           "hold_seconds", "handled", events=HANDLE),
    Metric("acw_seconds", "Average after-call work", "平均话后处理时长",
           "After-call-work seconds of handled contacts ÷ handled contacts.", "seconds", "lower",
           "acw_seconds", "handled", events=HANDLE),
    Metric("transfer_rate", "Transfer rate", "转接率",
           "Handled contacts whose outcome is transferred ÷ handled contacts.", "ratio", "lower",
           "transferred", "handled", target=0.10, events=HANDLE + ("contact.transferred",)),
    Metric("fcr_rate", "First-contact resolution", "首次解决率",
           "Handled contacts whose customer makes no further inbound contact on the same reason "
           "within 7 days of the offer ÷ handled contacts with a known customer. When both "
           "contacts have no reason, 'same reason' means 'same queue'.", "ratio", "higher",
           "fcr_resolved", "fcr_eligible", target=0.75,
           events=("contact.offered", "contact.answered", "contact.ended"),
           notes="Contacts offered less than 7 days before the newest data are provisional: "
           "a repeat may still come."),
    Metric("occupancy", "Occupancy", "占用率",
           "Handle time (talking, holding, after-call work) ÷ (handle time + available idle "
           "time: available, ringing), from agent states.", "ratio", None, "handle_time",
           "staffed_time", target=0.85, events=STATES, dimensions=AGENT_DIMENSIONS,
           notes="Neither extreme is good: low occupancy is idle cost, high occupancy burns out."),
    Metric("utilization", "Utilization", "利用率",
           "Productive time (handle + available) ÷ logged-in time (every state but offline). "
           "Logged-in time stands in for paid time until schedules exist.", "ratio", "higher",
           "staffed_time", "logged_in_time", target=0.85, events=STATES,
           dimensions=AGENT_DIMENSIONS),
    Metric("productivity", "Productivity", "人均小时处理量",
           "Handled contacts ÷ productive hours (handle + available time of the agents).",
           "contacts_per_hour", "higher", "handled", "staffed_time", scale=3600.0,
           events=STATES + HANDLE, dimensions=AGENT_DIMENSIONS),
    Metric("cost_per_contact", "Cost per contact", "单次联络成本",
           "Agent cost (logged-in hours × the agent's cost_rate_per_hour) ÷ handled contacts.",
           "currency_per_contact", "lower", "agent_cost", "handled", events=STATES + HANDLE,
           dimensions=AGENT_DIMENSIONS,
           notes="Needs agents.cost_rate_per_hour; agents without a rate add no cost. Overhead "
           "allocation is not included yet."),
    Metric("cost_per_resolved_contact", "Cost per resolved contact", "单次解决成本",
           "Agent cost ÷ contacts resolved first time (the fcr_rate numerator).",
           "currency_per_contact", "lower", "agent_cost", "fcr_resolved",
           events=STATES + HANDLE, dimensions=AGENT_DIMENSIONS,
           notes="Needs agents.cost_rate_per_hour."),
    Metric("adherence", "Schedule adherence", "排班遵守率",
           "Minutes in the scheduled activity ÷ scheduled minutes, per agent and interval "
           "(scheduled work: available, ringing or handling; a break: in break; lunch, training, "
           "meeting: in that state), against the current published schedule.",
           "ratio", "higher", "adherent_seconds", "scheduled_seconds", target=0.90,
           events=STATES, dimensions=AGENT_DIMENSIONS,
           notes="Needs a published schedule (ccops.store.schedule_models.publish_schedule)."),
    Metric("conformance", "Schedule conformance", "排班符合率",
           "Minutes worked (available, ringing or handling) within the schedule's period ÷ "
           "minutes scheduled to work, whenever in the period they fall.", "ratio", "higher",
           "worked_seconds", "scheduled_work_seconds", target=1.0, events=STATES,
           dimensions=AGENT_DIMENSIONS,
           notes="Adherence judges the timing, conformance the amount: working the right hours "
           "at the wrong time keeps conformance and loses adherence."),
    Metric("scheduled_hours", "Scheduled hours on the phones", "排班在线工时",
           "Hours the current published schedules put agents on the phones (scheduled work), "
           "split at the time grain's boundaries; per 30-minute interval, × 2 is the number of "
           "agents scheduled.", "hours", None, "scheduled_work_seconds", scale=1 / 3600.0,
           events=STATES, dimensions=AGENT_DIMENSIONS,
           notes="Needs a published schedule. Compare with staffed_hours: the plan against the "
           "floor."),
    Metric("staffed_hours", "Staffed hours", "实际在线工时",
           "Hours agents were available, ringing or handling (talking, holding, after-call "
           "work), from agent states, split at the time grain's boundaries.", "hours", None,
           "staffed_time", scale=1 / 3600.0, events=STATES, dimensions=AGENT_DIMENSIONS),
    Metric("shrinkage", "Shrinkage", "缩减率",
           "Paid time not available for contacts (breaks, training, meetings, absence) ÷ paid "
           "time; paid time is the current published schedules' time, planned shrinkage its "
           "activities other than work, unplanned shrinkage the time scheduled to work in which "
           "the agent was not available, ringing or handling.", "ratio", "lower",
           "shrinkage_seconds", "scheduled_seconds", target=0.30, events=STATES,
           dimensions=AGENT_DIMENSIONS,
           notes="Needs a published schedule. shrinkage = planned_shrinkage + "
           "unplanned_shrinkage; ccops requirements takes both as its shrinkage options."),
    Metric("planned_shrinkage", "Planned shrinkage", "计划内缩减率",
           "Scheduled time in activities other than work (breaks, lunch, training, meetings, "
           "other time off the phones) ÷ scheduled (paid) time.", "ratio", "lower",
           "planned_shrinkage_seconds", "scheduled_seconds", events=STATES,
           dimensions=AGENT_DIMENSIONS, notes="Needs a published schedule."),
    Metric("unplanned_shrinkage", "Unplanned shrinkage", "计划外缩减率",
           "Time scheduled to work in which the agent was not available, ringing or handling "
           "(absent, late, in an unscheduled pause) ÷ scheduled (paid) time.", "ratio", "lower",
           "unplanned_shrinkage_seconds", "scheduled_seconds", events=STATES,
           dimensions=AGENT_DIMENSIONS, notes="Needs a published schedule."),
    Metric("csat", "Customer satisfaction (CSAT)", "客户满意度",
           "Survey answers of 4–5 on a 1–5 scale ÷ survey answers.", "ratio", "higher", None,
           target=0.85, requires="surveys"),
    Metric("nps", "Net promoter score (NPS)", "净推荐值",
           "% promoters (9–10) − % detractors (0–6) among survey answers.", "score", "higher",
           None, requires="surveys"),
    Metric("ces", "Customer effort score (CES)", "客户费力度",
           "Mean customer-effort score of survey answers.", "score", "lower", None,
           requires="surveys"),
    Metric("accuracy", "Accuracy", "准确率",
           "QA evaluations with no accuracy defect ÷ QA evaluations, counting evaluations that "
           "are not void, not calibration scores and whose accuracy section was applicable; "
           "bucketed by the evaluated contact's offer time.", "ratio", "higher", "qa_accurate",
           "qa_evaluated", target=0.95, events=QA,
           notes="A disputed evaluation counts as it stands until decided: upheld, it keeps its "
           "figures; amended (overturned), it counts with the corrected answers' rescoring; "
           "voided, it stops counting. Agent and team are the evaluated agent's."),
)  # fmt: skip

# Simplified Chinese: (formula, target note, notes) of each metric, for the web app's pages.
_ZH: dict[str, tuple[str, str, str]] = {
    "offered": ("进入队列的联络数（在自助语音导航中完成的联络另行统计）。", "", ""),
    "ivr_contained": ("在自助语音导航中完成（由自助服务解决）的联络数。", "", ""),
    "answered": ("进入队列后被坐席接起的联络数。", "", ""),
    "handled": ("已接通且通话已结束的联络数（结果为已处理或已转接）。", "", ""),
    "abandoned": ("未接通、且等待不少于队列短时放弃阈值 S 秒（默认 5 秒）后放弃的联络数。", "", ""),
    "short_abandoned": (
        "未接通、等待不足队列阈值 S 秒即放弃的联络数；不计入服务水平和放弃率的分母。", "", ""),
    "service_level": (
        "在队列阈值 T 秒内（等待 ≤ T，默认 20 秒）接通的联络数 ÷"
        "（进入队列的联络数 − 短时放弃数）。",
        "按队列：队列的服务水平目标", ""),
    "asa_seconds": ("已接通联络的排队等待总时长 ÷ 已接通联络数。", "通常为队列的阈值 T", ""),
    "abandon_rate": ("等待 S 秒及以上后放弃的联络数 ÷（进入队列的联络数 − 短时放弃数）。", "", ""),
    "aht_seconds": ("（通话 + 保持 + 话后处理时长）÷ 已处理联络数。", "", ""),
    "talk_seconds": ("已处理联络的通话秒数 ÷ 已处理联络数。", "", ""),
    "hold_seconds": ("已处理联络的保持秒数 ÷ 已处理联络数。", "", ""),
    "acw_seconds": ("已处理联络的话后处理秒数 ÷ 已处理联络数。", "", ""),
    "transfer_rate": ("结果为转接的已处理联络数 ÷ 已处理联络数。", "", ""),
    "fcr_rate": (
        "客户在本次联络后 7 天内未因同一原因再次呼入的已处理联络数 ÷ 客户已知的已处理联络数。"
        "两次联络都没有原因时，“同一原因”指“同一队列”。", "",
        "距最新数据不足 7 天的联络为暂定值：重复联络可能还会到来。"),
    "occupancy": (
        "处理时长（通话、保持、话后处理）÷（处理时长 + 空闲时长：可用、振铃），"
        "按坐席状态计算。", "",
        "过高过低都不好：占用率低是闲置成本，过高会让坐席疲惫。"),
    "utilization": (
        "有效时长（处理 + 可用）÷ 登录时长（除离线外的所有状态）。"
        "排班接入前以登录时长代替带薪时长。",
        "", ""),
    "productivity": ("已处理联络数 ÷ 坐席有效小时数（处理 + 可用时长）。", "", ""),
    "cost_per_contact": (
        "坐席成本（登录小时数 × 坐席每小时成本）÷ 已处理联络数。", "",
        "需要配置坐席每小时成本；未配置的坐席不计成本。暂未分摊管理费用。"),
    "cost_per_resolved_contact": (
        "坐席成本 ÷ 首次解决的联络数（首次解决率的分子）。", "", "需要配置坐席每小时成本。"),
    "adherence": (
        "处于排班所定活动的分钟数 ÷ 排班分钟数，按坐席和时段计算（排班工作：可用、振铃或处理中；"
        "休息：休息状态；午餐、培训、会议：对应状态），以当前发布的排班为准。", "",
        "需要已发布的排班。"),
    "conformance": (
        "排班期间实际工作（可用、振铃或处理中）的分钟数 ÷ 排班工作分钟数，不论落在期间的哪个时段。",
        "", "遵守率看时间是否对得上，符合率看工作量是否足够："
        "时段错了但时长够，符合率不变而遵守率下降。"),
    "scheduled_hours": (
        "当前发布的排班中安排坐席在线（排班工作）的小时数，按时间粒度的边界拆分；"
        "每 30 分钟时段的值 × 2 即排班人数。", "",
        "需要已发布的排班。与实际在线工时对比：计划与现场。"),
    "staffed_hours": (
        "坐席处于可用、振铃或处理中（通话、保持、话后处理）的小时数，按坐席状态计算，"
        "按时间粒度的边界拆分。", "", ""),
    "shrinkage": (
        "带薪时间中不能处理联络的部分（休息、培训、会议、缺勤）÷ 带薪时间；"
        "带薪时间为当前发布排班的时长，计划内缩减为其中非工作的活动，"
        "计划外缩减为排班工作时段内坐席不处于可用、振铃或处理中的时间。",
        "", "需要已发布的排班。缩减率 = 计划内缩减率 + 计划外缩减率；"
        "计算人力需求时的两个缩减参数即取此二者。"),
    "planned_shrinkage": (
        "排班中非工作活动（休息、午餐、培训、会议及其他离线活动）的时长 ÷ 排班（带薪）时长。",
        "", "需要已发布的排班。"),
    "unplanned_shrinkage": (
        "排班工作时段内坐席不处于可用、振铃或处理中（缺勤、迟到、未排班的暂停）的时长 ÷ "
        "排班（带薪）时长。",
        "", "需要已发布的排班。"),
    "csat": ("1–5 分制中打 4–5 分的调查答卷数 ÷ 调查答卷数。", "", ""),
    "nps": ("调查答卷中推荐者（9–10 分）占比 − 贬损者（0–6 分）占比。", "", ""),
    "ces": ("调查答卷的客户费力度平均分。", "", ""),
    "accuracy": (
        "没有准确性缺陷的质检评估数 ÷ 质检评估数；只计未作废、非校准、且准确性部分适用的评估，"
        "按被评联络的进入时间归入时段。", "",
        "申诉未裁决前按现有结果计入：维持原判则结果不变；改判（修正）后按更正的答案重新评分计入；"
        "作废则不再计入。坐席和班组指被评估的坐席及其班组。"),
}  # fmt: skip

CATALOG: dict[str, Metric] = {
    m.id: replace(m, formula_zh=_ZH[m.id][0], target_note_zh=_ZH[m.id][1], notes_zh=_ZH[m.id][2])
    for m in _CATALOG
}

REQUIREMENTS = {
    "schedules": "published agent schedules (workforce management)",
    "surveys": "post-contact survey answers (channel evaluation)",
}
REQUIREMENTS_ZH = {
    "schedules": "已发布的坐席排班（劳动力管理）",
    "surveys": "联络后的满意度调查答卷（渠道评价）",
}


def get_metric(metric_id: str) -> Metric:
    """The catalog's metric `metric_id`; unknown ids raise UnknownMetricError."""
    try:
        return CATALOG[metric_id]
    except KeyError:
        raise UnknownMetricError(
            f"unknown metric {metric_id!r}; known: {', '.join(CATALOG)}"
        ) from None


def parse_metrics(names: str | list[str] | tuple[str, ...]) -> tuple[Metric, ...]:
    """Metrics from 'a,b' or a list; unknown or not-yet-computable ones raise a clear error."""
    items = names.split(",") if isinstance(names, str) else list(names)
    out: list[Metric] = []
    for raw in items:
        if not raw.strip():
            continue
        metric = get_metric(raw.strip())
        if metric.requires is not None:
            raise MetricUnavailableError(
                f"{metric.id} needs {REQUIREMENTS[metric.requires]}, which the store does not "
                f"hold yet (requires: {metric.requires})"
            )
        if metric not in out:
            out.append(metric)
    if not out:
        raise UnknownMetricError("no metric given; see `ccops metrics list`")
    return tuple(out)
