"""The keyword table: the single source of the language's reserved words.

The grammar's keyword terminals, the syntax highlighter and the keyword list
in the documentation are all derived from ``KEYWORDS`` and ``BOUNDARY_WORDS``.
Each entry names the terminal used in ``grammar/polc.lark``, the words that
spell it, and what it means, in Chinese, for the documentation.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Keyword:
    terminal: str
    words: tuple[str, ...]
    meaning: str
    group: str


def _kw(group: str, terminal: str, words: str, meaning: str) -> Keyword:
    return Keyword(terminal, tuple(words.split()), meaning, group)


KEYWORDS: tuple[Keyword, ...] = (
    # 文件与声明
    _kw("声明", "POLICY", "政策", "声明一份政策，后接政策名称"),
    _kw("声明", "RULES", "细则", "声明一份细则，它扩展一份政策"),
    _kw("声明", "MODULE", "模块", "声明一个标准库模块"),
    _kw("声明", "EXTENDS", "扩展", "细则所扩展的政策文件"),
    _kw("声明", "IMPORT", "引用", "引用标准库模块"),
    _kw("声明", "ISSUER", "发布单位", "政策的发布单位"),
    _kw("声明", "ISSUED", "发布日期", "政策的发布日期"),
    _kw("声明", "STAGE", "文本状态", "政策文本所处阶段，如征求意见稿"),
    _kw("声明", "SOURCE_FILE", "原文文件", "政策原文所在的文本文件，与 .pol 文件同目录"),
    _kw("声明", "IN_FORCE", "施行", "施行期"),
    _kw("声明", "TRIAL", "试行", "试行期限"),
    _kw("声明", "FROM", "自", "起始日期"),
    _kw("声明", "SINCE", "起", "与“自”配合表示起始"),
    _kw("声明", "UNTIL", "至", "范围或期限的终点"),
    _kw("声明", "PARAM", "参数", "声明政策中未定或可调的数值"),
    _kw("声明", "RANGE", "范围", "参数允许的取值范围"),
    _kw("声明", "VALUE", "取值", "参数的取值"),
    _kw("声明", "PENDING", "待定", "参数尚未确定"),
    _kw("声明", "FIELD", "字段", "声明企业信息中的一个字段"),
    _kw("声明", "PROJECT_FIELD", "项目字段", "声明企业每个项目的字段"),
    _kw("声明", "MEASURE", "度量", "由其他数值计算得到的量"),
    _kw("声明", "LEVELS", "等级", "有序的等级，或等级类型"),
    _kw("声明", "RECOGNITION", "认定", "声明一种认定或荣誉"),
    _kw("声明", "GRADED", "分级", "认定带有等级；或金额按等级分别规定"),
    _kw("声明", "UNIT_DECL", "单位", "声明一个计数单位"),
    _kw("声明", "NARROW", "补充条件", "细则为政策中的一款补充条件"),
    _kw("声明", "DESC", "说明", "名称的中文说明"),
    _kw("声明", "NOTE", "备注", "编码说明：原文有歧义或不一致之处"),
    _kw("声明", "CHAPTER", "章", "政策的章节"),
    _kw("声明", "CLOSING", "附则", "附则"),
    _kw("声明", "ITEM", "款", "条中的一项支持"),
    _kw("声明", "QUOTE", "原文", "该条款所依据的原文句子，须与原文逐字一致"),
    # 类型
    _kw("类型", "T_MONEY", "金额", "金额类型，默认币种为元"),
    _kw("类型", "T_RATIO", "比例", "比例类型"),
    _kw("类型", "T_COUNT", "数量", "带单位的数量类型"),
    _kw("类型", "T_BOOL", "布尔", "是或否"),
    _kw("类型", "T_DATE", "日期", "日期类型"),
    _kw("类型", "T_YEAR", "年度", "年度类型"),
    _kw("类型", "T_TEXT", "文本", "文本类型"),
    _kw("类型", "T_NUMBER", "数值", "无单位的数值"),
    _kw("类型", "T_RATE", "汇率", "币种之间的汇率"),
    _kw("类型", "T_SET", "集合", "若干文本值的集合，如企业获得的荣誉称号"),
    # 条款子句
    _kw("子句", "COND", "条件", "享受支持的条件"),
    _kw("子句", "ASSESS", "评定", "需人工评定的环节，不阻断计算"),
    _kw("子句", "GIVE", "给予", "支持的形式与金额"),
    _kw("子句", "CAP", "上限", "金额上限，可有多条，取最小"),
    _kw("子句", "YEAR_CAP", "年度上限", "同一款每年累计上限"),
    _kw("子句", "TOTAL_CAP", "累计上限", "同一款历年累计上限"),
    _kw("子句", "FLOOR", "下限", "金额下限"),
    _kw("子句", "FREQ", "频次", "支持的频次"),
    _kw("子句", "UPLIFT", "上浮", "在金额上上浮一定比例"),
    _kw("子句", "WHEN", "若", "上浮所需满足的条件"),
    _kw("子句", "TOPUP", "补差", "扣除本款已获支持，只补差额"),
    _kw("子句", "TRANCHES", "分期", "分期拨付的比例"),
    _kw("子句", "PER_PROJECT", "每个项目", "对企业的每个项目分别计算"),
    _kw("子句", "OVERRIDES", "例外", "本款适用时取代另一款"),
    _kw("子句", "UNENCODED", "待编码", "本款只照抄了原文，规则尚未写出：检查给出警告，覆盖率与审查报告把它列为未完成"),
    # 给予形式
    _kw("给予", "BY", "按", "按某个基数"),
    _kw("给予", "OF", "的", "基数的比例"),
    _kw("给予", "MATCH", "配套", "按上级资助金额配套"),
    _kw("给予", "INTEREST", "贴息", "贷款贴息"),
    _kw("给予", "PREMIUM", "保费补贴", "保险费补贴"),
    _kw("给予", "FULL", "全额", "全额补贴"),
    _kw("给予", "TIERED", "分档", "按某一量分档支持"),
    _kw("给予", "TIER", "档", "分档表中的一档"),
    _kw("给予", "NONMONETARY", "非资金支持", "不涉及金额的支持，如空间保障"),
    _kw("给予", "CASE_BY_CASE", "一事一议", "个案研究确定"),
    # 频次
    _kw("频次", "ONCE", "一次性", "只支持一次"),
    _kw("频次", "YEARLY", "每年", "每年度支持一次"),
    _kw("频次", "AT_MOST", "最多", "最多支持若干次"),
    # 评定
    _kw("评定", "ASSESS_KIND", "经综合评定 经认定 经评审 经评定 经推荐", "评定方式"),
    # 条件
    _kw("条件", "AND", "且 并且", "并且"),
    _kw("条件", "OR", "或 或者", "或者"),
    _kw("条件", "NOT", "非 不是", "否定"),
    _kw("条件", "EXCEPT", "除外", "排除，如“房地产企业除外”"),
    _kw("条件", "HOLDS", "已认定", "企业获得某项认定"),
    _kw("条件", "CONTAINS", "包含", "集合包含某元素"),
    _kw("条件", "IN", "属于", "属于某个集合"),
    _kw("条件", "ONE_OF", "之一", "集合中任一"),
    _kw("条件", "TRUE", "是", "真"),
    _kw("条件", "FALSE", "否", "假"),
    # 组合
    _kw("组合", "EXCLUSIVE", "互斥", "不得同时享受的若干款"),
    _kw("组合", "HIGHEST", "就高", "互斥时取金额最高者"),
    _kw("组合", "PRIORITY", "优先", "互斥时按所列顺序取第一个适用者"),
    _kw("组合", "ACCUMULATE", "累加", "可同时享受，金额累加"),
    _kw("组合", "SUM_CAP", "总额上限", "每家企业每年各款合计的上限"),
    # 细则
    _kw("细则", "SET", "设定", "给参数取值"),
    _kw("细则", "AS", "为", "设定的值"),
    # 案例
    _kw("案例", "CASE", "案例", "起草者写的测试案例"),
    _kw("案例", "FACTS", "企业", "案例中企业的情况"),
    _kw("案例", "PROJECT", "项目", "案例中企业的一个项目"),
    _kw("案例", "HISTORY", "已获", "企业已获得的支持记录"),
    _kw("案例", "ON", "评估日期", "案例的评估日期"),
    _kw("案例", "EXPECT", "预期", "预期结果"),
    _kw("案例", "STATUS", "符合 不符合 待评定 参数待定 信息不足 不在施行期", "预期状态"),
    _kw("案例", "AMOUNT", "金额为", "预期金额"),
    _kw("案例", "NONE_HELD", "无", "案例中的企业没有任何认定：企业 已认定 无"),
)


# 民法典第一千二百五十九条：以上、以下、以内、届满，包括本数；不满、超过、以外，不包括本数。
BOUNDARY_WORDS: dict[str, str] = {
    "以上": ">=", "达到": ">=", "不低于": ">=", "不少于": ">=", "及以上": ">=",
    "以下": "<=", "以内": "<=", "不超过": "<=", "不高于": "<=", "最高": "<=",
    "超过": ">", "高于": ">", "多于": ">",
    "不满": "<", "低于": "<", "少于": "<",
    "（含）": "incl", "(含)": "incl", "（不含）": "excl", "(不含)": "excl",
}

# 前置的边界词写在数值之前（不低于200万美元），后置的写在数值之后（2家以上、50场（含））。
PREFIX_BOUNDS = ("达到", "不低于", "不少于", "不超过", "不高于", "最高",
                 "超过", "高于", "多于", "不满", "低于", "少于")
POSTFIX_BOUNDS = ("以上", "及以上", "以下", "以内", "(含)", "(不含)")

# 计数单位：数量字面量 “50场”“2家” 的单位。单位不同的数量不能比较。
COUNT_UNITS = ("平方米", "场", "家", "发", "件", "次", "个", "项", "人", "台", "套",
               "张", "部", "名", "座", "轮", "批", "届", "亩", "户", "栋", "间", "期")


def all_words() -> list[str]:
    """Every reserved word, longest first, for highlighters and docs."""
    words = {w for k in KEYWORDS for w in k.words} | set(BOUNDARY_WORDS)
    return sorted(words, key=lambda w: (-len(w), w))
