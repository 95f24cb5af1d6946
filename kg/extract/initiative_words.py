"""Words and the mention type the initiative rules share (``kg.extract.initiatives``,
``kg.extract.quoted``, ``kg.extract.name_edges``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

BUILD_VERBS = ("实施", "推进", "推动", "建设", "打造", "构建", "完善", "迭代", "实现", "启动", "开展",
               "落实", "做实", "深化", "加快", "上线", "试点", "创新", "形成", "建立", "打好", "发布",
               "提出", "推出", "部署", "健全", "探索", "拓展", "促进")
#: verbs that lead an object, never a name: 推进应急管理体系, 落实主体功能区战略 (建设, 创新 may begin one)
LEADING_VERBS = frozenset(BUILD_VERBS) - {"建设", "创新", "试点", "上线"}
DETERMINERS = ("全市", "全省", "各", "该", "本", "此", "有关", "相关", "这", "其", "一批", "全", "多种",
               "各类", "一系列", "整套", "知名",
               "好")  # 实施好X: 好 completes the verb
#: modifiers that say how big or important a thing is, not which one it is
GENERIC_BODY = re.compile(r"(?:国家|重大|重要|重点|核心|高端|知名|整体|相关|新型|综合|一流|大型|各类|多种|整套|全栈式|"
                          r"电商|跨境|交流|服务|社会|公共|创新|应用|业务)+")

VERBAL_ADJ = {"丰富", "繁荣", "壮大", "优化", "强化", "活跃", "充实"}
INIT_POS = {"n", "nz", "nw", "LOC", "vn", "vd", "a", "an", "m", "j", "ORG"}
#: heads that make a name with a two-character body: 科技强国, 制造强国
SHORT_HEADS = {"强国"}


@dataclass
class InitiativeMention:
    start: int
    end: int
    name: str
    kind: str
    count: int | None = None
    components: list[str] = field(default_factory=list)


def overlaps(s: int, e: int, taken) -> bool:
    """The span [s, e) overlaps one of the mentions ``taken``."""
    return any(t.start < e and s < t.end for t in taken)
