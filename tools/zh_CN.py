"""Chinese for every interface string, by context; ``python tools/make_ts.py`` writes the .ts from it.

Kept in Python rather than edited in Qt Linguist because lupdate's Python parser misreads contexts given
to ``QT_TRANSLATE_NOOP``; ``tests/test_i18n.py`` checks that every string the code passes to ``tr`` or
``QT_TRANSLATE_NOOP`` has its translation here and in the .ts.
"""

ZH_CN = {
    "ActionDialog": {
        "Outcome": "处理意见", "Penalty kinds": "处罚种类", "Fine (yuan)": "罚款金额（元）", "Facts found": "认定的违法事实",
        "Legal basis": "法律依据", "Use of the discretion benchmark": "裁量基准适用说明",
        "Written reason for deviating from the benchmark": "偏离裁量基准的书面理由", "Brief facts": "简要案情",
        "Reason for filing": "立案理由", "Handler's opinion": "承办人意见", "Head's opinion": "负责人意见",
        "Reason for not filing": "不予立案理由", "Started at": "开始时间", "Ended at": "结束时间", "Place": "地点",
        "Officers": "执法人员", "Certificates shown to the party": "已向当事人出示执法证件", "Findings": "检查情况",
        "Present": "在场人", "Party signed": "当事人已签名", "Recorder": "记录人", "Certificates shown": "已出示执法证件",
        "Rights notified": "已告知权利义务", "Person questioned": "被询问人",
        "Questions and answers (lines starting 问：/答：)": "询问内容（每行以“问：”或“答：”开头）",
        "Confirmed as true by the person": "被询问人确认笔录属实", "Items sampled": "抽样物品", "Quantity": "数量",
        "Matter": "审批事项", "Reason": "理由", "Days": "天数", "Items to preserve": "拟先行登记保存的物品",
        "Instalment plan": "分期方案", "Complex case (collective discussion)": "案情复杂（须集体讨论）",
        "Case summary (facts, evidence, law, benchmark, officers and certificates)": "案件情况说明（事实、证据、法律适用、裁量基准适用、执法人员及证号）",
        "Draft decision": "处理决定代拟稿", "Corrections made": "补正情况", "Conclusion": "结论", "Checklist": "审核要点",
        "Opinion": "意见", "Corrections asked for": "需补正的事项", "Heads taking part": "参加讨论的负责人", "Opinions": "讨论意见",
        "Settles the disagreement with the reviewer": "解决与法制审核意见的分歧", "Document number": "文号", "Facts": "违法事实",
        "Reason for deviating from the benchmark": "偏离裁量基准的理由", "Document": "送达文书", "Method": "送达方式",
        "Recipient": "受送达人", "Receipt signed": "受送达人已签收", "Witness": "见证人", "Form": "方式", "By": "陈述申辩人",
        "Statement and defence": "陈述申辩内容", "Adopted": "采纳", "Waived in writing": "书面放弃", "Party's statement": "当事人书面表示",
        "Hearing date": "听证日期", "Chair": "听证主持人", "Date": "日期", "Transcript": "听证笔录", "Hearing report": "听证报告",
        "Recommendation": "处理意见", "Decision number": "决定书文号", "Evidence relied on": "认定事实的证据",
        "Reasons (on the statement and defence)": "理由（采纳或不采纳陈述申辩意见的理由）",
        "Decided on the hearing transcript": "根据听证笔录作出决定", "Amount (yuan)": "金额（元）", "Channel": "缴款方式",
        "Receipt number": "缴款凭证号", "Closing report": "结案报告", "Archive number": "档号", "Retention": "保管期限",
        "Record": "记录", "Cancel": "取消", "Name, relation to the case": "姓名，与本案关系", "Item": "审核要点",
        "Finding": "结论", "Comment": "意见", "Complies": "符合", "Problem": "存在问题", "Request": "审批事项", "Approved": "同意",
        "Disposal": "处理方式", "Details": "情况说明", "Officer to withdraw": "申请回避的人员", "Applicant": "申请人",
        "Grounds": "回避理由", "Decision": "决定", "Replacement officer": "更换的承办人员", "What happened": "情形",
        "Reminder served on": "催告书送达日期", "People's court": "人民法院",
    },
    "AdminPage": {
        "Officers and certificates": "人员与执法证件", "Import benchmark set…": "导入裁量基准…", "Import holiday calendar…": "导入节假日安排…",
        "Back up…": "备份…", "Verify records": "校验全过程记录", "Name": "姓名", "Login": "登录名", "Roles": "角色",
        "Certificate": "执法证号", "Valid until": "有效期至", "Warning": "提示", "Benchmark set": "裁量基准文件",
        "Holiday calendar": "节假日安排文件", "Back up to": "备份到", "All %1 records and %2 evidence files verified.": "全部 %1 条记录和 %2 个证据文件校验无误。",
    },
    "CaseTable": {
        "Case number": "案件编号", "Case": "案件名称", "Stage": "阶段", "Handlers": "承办人", "Registered": "登记日期",
        "Next deadline": "下一期限", "Fine": "罚款", "(not filed)": "（未立案）", "overdue %n day(s)": "逾期%n天", "%n day(s) left": "剩%n天",
    },
    "CasesPage": {
        "Search case number, party, cause, records…": "检索案号、当事人、案由、记录内容…", "All stages": "全部阶段", "My cases": "我承办的",
        "Overdue": "已逾期", "%n case(s)": "共 %n 件",
    },
    "CaseWorkspace": {
        "No proposal yet.": "尚无处理意见。", "Process record": "全过程记录", "Add evidence files…": "添加证据文件…", "Evidence": "证据",
        "Proposal and review": "处理意见与审核", "Evidence files": "证据文件", "Next steps": "可办理的事项", "Blocked, and why": "暂不能办理的事项及原因",
        "Deadlines": "办案期限", "met": "已完成", "No blocked steps.": "没有受阻的事项。", "Collected": "收集时间", "Simple procedure": "简易程序",
        "Deadline": "期限", "Basis": "依据", "Due": "届满日", "Days left": "剩余天数", "#": "序号", "Time": "时间", "By": "操作人",
        "Step": "步骤", "Hash": "哈希", "Nothing for you to do on this case now.": "本案目前没有您可办理的事项。", "Proposal": "处理意见",
        "Benchmark": "裁量基准", "Party": "当事人", "Handlers": "承办人", "%1 evidence file(s) registered.": "已登记 %1 个证据文件。",
        "Major decision": "重大执法决定", "overdue %1 days": "逾期%1天", "Why review is required": "须经法制审核的情形",
        "Summary": "案件情况说明", "Draft decision": "处理决定代拟稿", "Facts": "违法事实", "Law applied": "适用法律",
        "Penalty": "拟处罚", "Reason for deviating": "偏离裁量基准的理由", "Officers and certificates": "执法人员及证号",
        "Hearing transcript": "听证笔录", "Corrections made": "补正情况", "Legal review round %1": "第%1次法制审核", "(not filed yet)": "（尚未立案）",
    },
    "DiscretionPanel": {
        "Discretion benchmark": "行政裁量权基准", "(no benchmark entry)": "（不适用裁量基准条目）", "Entry": "基准条目", "Circumstances": "情节",
        "Assess": "测算", "A fine outside the recommended range needs the written reason above.": "罚款超出建议幅度的，须在上方填写书面理由。",
        "yuan, if the fine depends on it": "元（罚款以此为基数时填写）", "Choose a benchmark entry first.": "请先选择裁量基准条目。",
        "Statutory range": "法定幅度", "Recommended grade": "建议阶次", "Recommended range": "建议幅度", "Hearing right": "听证权利",
        "Major decision": "重大执法决定",
    },
    "EvaluationPage": {
        "Choose a closed case.": "请选择一件已结案件。", "Record evaluation": "保存评查结果", "Export case file PDF…": "导出案卷 PDF…",
        "Export all listed…": "批量导出所列案卷…", "fails (veto)": "不合格（否决）", "Exporting case files…": "正在导出案卷…", "Cancel": "取消",
        "Export to folder": "导出到文件夹", "Score": "得分", "Not recorded": "未保存", "Save case file": "保存案卷", "Exported": "已导出",
        "pages": "页", "Item": "评查项目", "Points": "分值", "Evidence": "依据", "Comment": "评查意见", "veto": "否决", "none": "无",
        "(by the record)": "（系统评定）", "no veto ground": "无否决情形", "(items still to score)": "（尚有未评定项目）",
        "%1 case file(s) exported.": "已导出 %1 个案卷。",
    },
    "IdleLock": {"Locked — enter your password": "已锁定——请输入密码"},
    "InboxPage": {
        "Task": "待办事项", "Case number": "案件编号", "Case": "案件名称", "Stage": "阶段", "Due": "期限", "Days left": "剩余天数",
        "Detail": "说明", "%1 task(s) waiting for you, %2 overdue": "您有 %1 项待办，其中逾期 %2 项",
    },
    "LoginDialog": {
        "Enforcement case recorder — log in": "行政执法案件记录——登录", "Administrative enforcement case recorder": "行政执法案件记录系统",
        "User": "用户名", "Password": "密码", "Language": "语言", "Log in": "登录", "Quit": "退出", "Checking…": "正在验证…",
    },
    "MainWindow": {
        "Inbox": "待办", "Cases": "案件", "Case": "当前案件", "Enforcement case recorder": "行政执法案件记录", "Evaluation": "案卷评查",
        "Administration": "系统管理", "New case…": "新建案件…", "Working…": "正在处理…",
    },
    "NewCaseDialog": {
        "New case": "新建案件", "Organisation": "法人或其他组织", "Person": "自然人", "(none)": "（无）", "Party kind": "当事人类型",
        "Name": "名称（姓名）", "ID number / USCC": "统一社会信用代码 / 身份证号码", "Legal representative": "法定代表人", "Address": "地址",
        "Benchmark entry": "裁量基准条目", "Cause": "案由", "Date of the act": "违法行为发生日期", "Source": "案件来源",
        "Second officer": "另一名执法人员", "Lead summary": "案源简要情况", "check digit correct": "校验码正确",
    },
}
