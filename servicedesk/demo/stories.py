"""The demonstration tickets: one small story per ticket, told through the real ticket services,
so timelines, deadlines and routing are what the product itself produces.

Every action happens "now". A few stories are then moved back in time as a whole (see
:func:`servicedesk.demo.backdating.backdate`) so the overdue queue, the colour cards and the
monthly metrics have something to show; nothing in the product's code is patched for that.
"""

from __future__ import annotations

from servicedesk.demo.backdating import backdate, this_minute
from servicedesk.demo.build import DemoPark
from servicedesk.sla.vocabulary import Urgency
from servicedesk.tickets import casework, closing
from servicedesk.tickets import services as desk
from servicedesk.tickets.extension_requests import decide_extension, request_extension
from servicedesk.tickets.models import Channel, Ticket


class Stories:
    """Files and works the demo tickets; ``park`` holds the people and things to act with."""

    def __init__(self, park: DemoPark):
        self.park = park
        self.people = park.people
        self.tickets: list[Ticket] = []

    def file(
        self,
        company: str,
        category: str,
        title: str,
        description: str,
        *,
        project: str | None = None,
        urgent: bool = False,
        channel: Channel = Channel.SMS,
    ) -> Ticket:
        """The enterprise's contact files a ticket; the routing rules may dispatch it."""
        ticket = desk.file_ticket(
            self.park.contacts[company],
            category=self.park.categories[category],
            urgency=(Urgency.URGENT if urgent else Urgency.NORMAL).value,
            title=title,
            description=description,
            preferred_channel=channel.value,
            key_project=self.park.projects[project] if project else None,
        )
        self.tickets.append(ticket)
        return ticket

    def tell_all(self) -> list[Ticket]:
        """Every story, in the order the references are handed out."""
        for story in (
            self.unrouted,
            self.waiting_to_be_signed,
            self.signed,
            self.site_work,
            self.overdue_work,
            self.waiting_and_returned,
            self.resolved_and_closed,
            self.withdrawn,
        ):
            story()
        return self.tickets

    # --- filed and dispatched -----------------------------------------------------------------

    def unrouted(self) -> None:
        """No rule matches these: they wait in the dispatcher's queue (filed), their dispatch
        clocks running. One has waited a week: the first sweep reminds the dispatchers and
        the supervisors of it."""
        self.file(
            "lingdian",
            "policy",
            "咨询“奋战一季度、勇夺开门红”激励措施申报条件",
            "我公司2023年产值1.65亿元，今年一季度预计产值不低于3000万元。请问园区“奋战一季度、"
            "勇夺开门红”20条激励措施中，满负荷生产奖励的申报条件、申报时间和所需材料有哪些？",
            channel=Channel.PHONE,
        )
        pledge = self.file(
            "yunfan",
            "finance",
            "申请科技型中小企业知识产权质押贷款贴息",
            "公司拟以两项发明专利质押向银行申请贷款500万元，用于智能制造产线改造。"
            "请问园区对知识产权质押融资的贴息比例和办理流程，是否需要专利评估报告？",
            channel=Channel.EMAIL,
        )
        # Filed a week ago and still not dispatched: the dispatch deadline is long past.
        backdate(pledge, weeks=1)

    def waiting_to_be_signed(self) -> None:
        """Dispatched and not yet signed: by the rules, by a transfer and by the dispatcher."""
        hiring = self.file(
            "boe",
            "staffing",
            "春节后一线操作工招聘缺口约200人",
            "春节后柔性AMOLED产线满负荷生产，一线操作工缺口约200人，"
            "希望专班协助对接人社部门和周边职业院校，组织专场招聘会。",
        )
        casework.add_note(
            self.people["dispatcher"], hiring, "链主企业诉求，已电话提醒新型显示专班尽快签收。"
        )
        # Filed a week ago and never signed: the sign-for deadline is long past (red card).
        backdate(hiring, weeks=1)

        land = self.file(
            "shanjin",
            "land",
            "偏光片生产线二期用地红线调整",
            "偏光片生产线二期拟新增仓储用房，需将用地红线向东调整约15米，"
            "涉及规划条件变更和土地供应，请协助办理。",
        )
        desk.transfer(
            self.people["lead"],
            land,
            self.park.task_forces["projects"],
            "该事项涉及重点项目用地调整，由重点项目推进专班统筹办理。",
        )

        subsidy = self.file(
            "sinotruk",
            "policy",
            "新能源重卡购置补贴政策咨询",
            "绵阳基地今年订单增加西北及湖南、湖北区域，客户关心新能源重卡购置补贴。"
            "请问省、市对新能源重卡推广应用有哪些补贴政策，如何申报？",
        )
        desk.dispatch(
            self.people["dispatcher"],
            subsidy,
            self.park.task_forces["projects"],
            reason="涉及重点项目企业，派重点项目推进专班答复。",
        )

    def signed(self) -> None:
        """Signed for by a member, and given to one by the lead."""
        recruit = self.file(
            "exxon",
            "staffing",
            "储能电芯产线技术工人招聘",
            "一期6GWh产线爬坡满产，需招聘电芯制造技术工人120名、设备工程师15名，"
            "请协助发布招聘信息并申请岗前培训补贴。",
        )
        casework.sign(self.people["liu"], recruit)

        lending = self.file(
            "changhong",
            "finance",
            "智能终端产业园设备购置贷款贴息咨询",
            "长虹新型显示智能终端产业园设备购置贷款约2亿元，"
            "请问能否享受“一事一议”贴息政策，需准备哪些材料？",
        )
        casework.assign(self.people["lead"], lending, self.people["member"])

    # --- in progress --------------------------------------------------------------------------

    def site_work(self) -> None:
        """In progress with on-site work; one extension waits for the lead, one was approved."""
        power = self.file(
            "boe",
            "utilities",
            "柔性模组扩产项目施工临时用电容量不足",
            "模组扩产项目进入设备安装阶段，现有施工临时用电容量800kVA不能满足需求，"
            "需增容至2000kVA，请协调供电公司加快办理。",
            project="module",
            urgent=True,
        )
        member = self.people["member"]
        casework.sign(member, power)
        casework.reply(member, power, "已收到，我们已联系供电公司，今天下午到现场踏勘。")
        casework.add_note(member, power, "供电公司营销部已答复：变电站10kV间隔需扩建，内部沟通。")
        casework.record_site_visit(
            member,
            power,
            visited_at=this_minute(),
            location="京东方模组扩产项目施工现场",
            participants="王晓燕；供电公司营销部；京东方工程部张敏",
            notes="确定临时用电接入点，供电公司需扩建10kV间隔，预计需两周。",
        )
        request_extension(member, power, 5, "供电公司变电站间隔扩建需排期，预计两周完成。")

        battery = self.file(
            "exxon",
            "utilities",
            "一期6GWh产线爬坡满产用电负荷增容",
            "一期6GWh产线爬坡满产，年产值目标40亿元，现有供电负荷不足，"
            "请协调增容并保障春季用电高峰期间不限电。",
            project="exxon1",
            urgent=True,
        )
        liu = self.people["liu"]
        casework.sign(liu, battery)
        casework.request_info(liu, battery, "请提供新增用电负荷清单及设备投运计划。")
        casework.enterprise_reply(
            self.park.contacts["exxon"],
            battery,
            "新增负荷约12000kVA，化成分容设备3月底前全部投运。",
        )
        casework.record_site_visit(
            liu,
            battery,
            visited_at=this_minute(),
            location="埃克森新能源电池产业园",
            participants="刘洋；陈志强；供电公司；埃克森新能源罗丹",
            notes="现场核实负荷清单，确定由110kV变电站新出两回专线。",
        )
        extension = request_extension(
            liu, battery, 5, "专线施工需电力部门审批，申请延期5个工作日。"
        )
        decide_extension(self.people["chen"], extension, True, "同意，请每周报告施工进度。")

        hazard = self.file(
            "shanjin",
            "permits",
            "偏光片生产线危废暂存间规划许可",
            "偏光片生产线需新建危废暂存间约200平方米，请协助办理规划许可和环评手续。",
            project="polarizer",
        )
        ma = self.people["ma"]
        casework.sign(ma, hazard)
        casework.reply(ma, hazard, "已与自然资源和规划局、生态环境局对接，正在准备并联审批。")
        extension = request_extension(ma, hazard, 10, "需等待环评专家评审，申请延期10个工作日。")
        decide_extension(
            self.people["sun"], extension, False, "规划许可与环评可并联审批，请按原期限办结。"
        )

    def overdue_work(self) -> None:
        """Late tickets for the overdue queue: a resolve and a first-contact deadline passed."""
        roads = self.file(
            "changhong",
            "coordination",
            "智能终端产业园配套道路及雨污管网未接通",
            "产业园厂房主体已完工，但园区东侧配套道路及雨污管网未接通，"
            "影响设备进场和竣工验收，请协调住建、市政等部门。",
            project="terminal",
        )
        zheng = self.people["zheng"]
        casework.sign(zheng, roads)
        casework.reply(zheng, roads, "已召开项目专题会，住建、市政部门正在制定施工方案。")
        casework.add_note(
            self.people["supervisor"], roads, "请专班本周内拿出解决方案并报管委会，督办。"
        )
        # Three weeks ago: well past the resolve deadline (red card).
        backdate(roads, weeks=3)

        deed = self.file(
            "cixin",
            "land",
            "标准化厂房一期竣工验收后不动产权证办理",
            "标准化厂房一期即将竣工验收，请协助提前对接不动产登记中心，"
            "确保验收后尽快办理不动产权证，便于入驻企业办理抵押融资。",
            project="workshops",
        )
        casework.sign(zheng, deed)
        # Signed a week ago, nobody has contacted the enterprise since.
        backdate(deed, weeks=1)

    # --- the enterprise's side ----------------------------------------------------------------

    def waiting_and_returned(self) -> None:
        """A question to the enterprise (clock paused) and a ticket sent back to dispatch."""
        review = self.file(
            "boe",
            "permits",
            "AMOLED生产线技改项目环评变更手续",
            "AMOLED生产线技改新增一条蒸镀线，需办理环评变更手续，"
            "请协助对接生态环境部门，明确是否需要重新报批。",
            project="amoled",
        )
        member = self.people["member"]
        casework.sign(member, review)
        casework.request_info(
            member, review, "请补充提供技改项目环境影响分析说明及新增污染物排放量测算。"
        )

        school = self.file(
            "liyuan",
            "coordination",
            "外地引进技术骨干子女就近入学协调",
            "公司从外地引进技术骨干12名，其子女需在高新区就近入学，请协助协调。",
        )
        desk.return_to_dispatch(
            self.people["zhou"],
            school,
            "子女入学事项由教育部门办理，不属于新型储能产业链专班职责，请重新派单。",
        )

    def resolved_and_closed(self) -> None:
        """Resolved and awaiting the enterprise; closed satisfied, basically satisfied, and
        closed after an unsatisfied rating and rework."""
        member = self.people["member"]
        leasing = self.file(
            "boe",
            "finance",
            "模组扩产项目设备融资租赁对接",
            "模组扩产项目部分设备拟采用融资租赁方式，约3亿元，"
            "请协助对接融资租赁公司并了解贴息政策。",
        )
        casework.sign(member, leasing)
        casework.reply(member, leasing, "已联系两家融资租赁公司，下周二组织银企对接会。")
        casework.resolve(
            member,
            leasing,
            "已组织银企对接会，两家融资租赁公司已出具初步方案；贴息政策按“一事一议”申报。",
        )

        wu = self.people["wu"]
        customs = self.file(
            "juxing",
            "policy",
            "稀土原料进口报关流程咨询",
            "公司高性能钕铁硼项目加速释放产能，需进口部分稀土原料，"
            "请问报关流程及可享受的通关便利措施。",
        )
        casework.sign(wu, customs)
        casework.reply(wu, customs, "已联系绵阳海关，可申请“提前申报”和“两步申报”通关模式。")
        casework.resolve(wu, customs, "已提供报关流程说明，海关已安排专人对接。")
        closing.confirm(self.park.contacts["juxing"], customs, "satisfied", "答复及时，感谢专班！")
        backdate(customs, weeks=2)

        ma = self.people["ma"]
        plates = self.file(
            "sinotruk",
            "coordination",
            "新下线货车临时行驶号牌集中办理",
            "绵阳基地一季度产能比去年高60%以上，新下线货车需集中办理临时行驶号牌，"
            "请协调公安交管部门上门服务。",
            project="trucks",
        )
        casework.sign(ma, plates)
        casework.reply(ma, plates, "已协调车管所每周二、四上门集中办理。")
        casework.resolve(ma, plates, "车管所已开通上门服务，本月已办理临时号牌300余副。")
        closing.confirm(
            self.park.contacts["sinotruk"],
            plates,
            "basically_satisfied",
            "办理较快，但部分车辆仍需到车管所查验。",
        )
        backdate(plates, weeks=1)

        lights = self.file(
            "boe",
            "coordination",
            "厂区周边道路夜间路灯不亮",
            "厂区东侧道路夜间路灯大面积不亮，倒班员工夜间通勤存在安全隐患，"
            "请协调市政部门尽快修复。",
        )
        casework.sign(member, lights)
        casework.reply(member, lights, "已转市政部门，安排本周内检修。")
        casework.resolve(member, lights, "市政部门已完成线路检修。")
        contact = self.park.contacts["boe"]
        closing.confirm(contact, lights, "unsatisfied", "东侧道路仍有三盏路灯不亮。")
        casework.record_site_visit(
            member,
            lights,
            visited_at=this_minute(),
            location="京东方厂区东侧道路",
            participants="王晓燕；市政路灯所",
            notes="夜间复查，发现三盏灯具损坏，当场更换。",
        )
        casework.resolve(member, lights, "已更换损坏灯具并新增两盏路灯，夜间复查全部正常。")
        closing.confirm(contact, lights, "satisfied", "问题已彻底解决，感谢！")
        backdate(lights, weeks=2)

        zhou = self.people["zhou"]
        experts = self.file(
            "lingdian",
            "policy",
            "储能控制系统研发申请专家指导",
            "公司正在开拓储能、风电领域，储能控制系统研发遇到电池管理算法难题，"
            "希望对接产业链首席科学家团队进厂指导。",
        )
        desk.dispatch(
            self.people["dispatcher"],
            experts,
            self.park.task_forces["storage"],
            reason="与新型储能产业链相关，派储能专班对接首席科学家。",
        )
        casework.sign(zhou, experts)
        casework.reply(zhou, experts, "已联系首席科学家团队，商定下周进厂。")
        casework.resolve(zhou, experts, "已确定专家进厂时间。")
        closing.reopen(self.park.contacts["lingdian"], experts, "专家尚未到厂，时间一再推迟。")
        casework.resolve(zhou, experts, "首席科学家团队已进厂现场指导两次，并建立定期联系机制。")
        closing.confirm(self.park.contacts["lingdian"], experts, "satisfied", "专家指导很有帮助。")
        backdate(experts, weeks=3)

    def withdrawn(self) -> None:
        """The enterprise cancelled before anyone resolved it."""
        rent = self.file(
            "cixin",
            "policy",
            "标准厂房租金减免政策咨询",
            "请问新引进的磁性材料配套企业入驻标准厂房，前三年租金减免的条件是什么？",
        )
        closing.withdraw(
            self.park.contacts["cixin"], rent, "已在管委会政务服务窗口了解清楚，撤回诉求。"
        )
