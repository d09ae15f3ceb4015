<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionDialog</name>
    <message>
        <source>The steps this recording records</source>
        <translation>本录音录像所记录的执法环节</translation>
    </message>
    <message>
        <source>Facts as elements</source>
        <translation>违法事实要素</translation>
    </message>
    <message>
        <source>Ground for no penalty</source>
        <translation>不予行政处罚的理由</translation>
    </message>
    <message>
        <source>Provision for no penalty (another statute's ground)</source>
        <translation>不予行政处罚的依据（其他法定情形的）</translation>
    </message>
    <message>
        <source>What was minor</source>
        <translation>违法行为轻微的情形</translation>
    </message>
    <message>
        <source>How it was established as a first violation</source>
        <translation>初次违法的认定</translation>
    </message>
    <message>
        <source>Harm (none, or slight)</source>
        <translation>危害后果（没有造成或者轻微）</translation>
    </message>
    <message>
        <source>Corrected on</source>
        <translation>改正日期</translation>
    </message>
    <message>
        <source>How it was corrected</source>
        <translation>改正的方式和结果</translation>
    </message>
    <message>
        <source>Facts showing no fault</source>
        <translation>没有主观过错的事实</translation>
    </message>
    <message>
        <source>Evidence of the above</source>
        <translation>证明上述情形的证据（证据材料或复查笔录）</translation>
    </message>
    <message>
        <source>Education given: what</source>
        <translation>教育的内容</translation>
    </message>
    <message>
        <source>Education given: when</source>
        <translation>教育日期</translation>
    </message>
    <message>
        <source>Education given: how</source>
        <translation>教育的方式</translation>
    </message>
    <message>
        <source>Print for signing…</source>
        <translation>打印供签名…</translation>
    </message>
    <message>
        <source>Open as PDF</source>
        <translation>以 PDF 打开</translation>
    </message>
    <message>
        <source>Print the record as typed, marked as a draft, with lines to sign on; attach the photo or scan of the signed paper as the signature</source>
        <translation>按当前填写内容打印（标明草稿、留有签名线）；签名后将纸质笔录拍照或扫描，作为签名附入</translation>
    </message>
    <message>
        <source>Open the record as typed in the PDF viewer</source>
        <translation>按当前填写内容在 PDF 阅读器中打开</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Sign and record</source>
        <translation>签名并记录</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Discard what you have entered in this form?</source>
        <translation>放弃本表中已填写的内容？</translation>
    </message>
    <message>
        <source>Refusal to sign (if not signed)</source>
        <translation>拒绝签名情况（未签名时填写）</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>处理意见</translation>
    </message>
    <message>
        <source>Penalty kinds</source>
        <translation>处罚种类</translation>
    </message>
    <message>
        <source>Fine (yuan)</source>
        <translation>罚款金额（元）</translation>
    </message>
    <message>
        <source>Facts found</source>
        <translation>认定的违法事实</translation>
    </message>
    <message>
        <source>Legal basis</source>
        <translation>法律依据</translation>
    </message>
    <message>
        <source>Provision violated</source>
        <translation>违反的法律规定</translation>
    </message>
    <message>
        <source>Remedy</source>
        <translation>救济途径</translation>
    </message>
    <message>
        <source>Applied (sued) on</source>
        <translation>申请（起诉）日期</translation>
    </message>
    <message>
        <source>Reconsideration body or court</source>
        <translation>复议机关或人民法院</translation>
    </message>
    <message>
        <source>Acceptance or case number</source>
        <translation>受理文号或案号</translation>
    </message>
    <message>
        <source>Decided (judged) on</source>
        <translation>决定（判决）日期</translation>
    </message>
    <message>
        <source>Number of the decision or judgment</source>
        <translation>复议决定书或判决书文号</translation>
    </message>
    <message>
        <source>Fine as changed (yuan)</source>
        <translation>变更后的罚款金额（元）</translation>
    </message>
    <message>
        <source>Ground for collecting on the spot</source>
        <translation>当场收缴的情形</translation>
    </message>
    <message>
        <source>The party's request to pay on the spot</source>
        <translation>当事人提出当场缴纳的情况</translation>
    </message>
    <message>
        <source>Unable to recognise or control the conduct (expert opinion)</source>
        <translation>不能辨认或者不能控制自己行为的情况（鉴定意见）</translation>
    </message>
    <message>
        <source>Guardian ordered to discipline or care for</source>
        <translation>责令监护人管教（看管和治疗）的情况</translation>
    </message>
    <message>
        <source>Provision suspected violated</source>
        <translation>涉嫌违反的法律规定</translation>
    </message>
    <message>
        <source>Organ the case is transferred to</source>
        <translation>接受移送的机关</translation>
    </message>
    <message>
        <source>Evidence listed for preservation</source>
        <translation>先行登记保存的证据（名称、规格、数量）</translation>
    </message>
    <message>
        <source>Kept at</source>
        <translation>保存地点</translation>
    </message>
    <message>
        <source>Started at (oral)</source>
        <translation>开始时间（口头）</translation>
    </message>
    <message>
        <source>Ended at (oral)</source>
        <translation>结束时间（口头）</translation>
    </message>
    <message>
        <source>Place (oral)</source>
        <translation>地点（口头）</translation>
    </message>
    <message>
        <source>Recorder (oral)</source>
        <translation>记录人（口头）</translation>
    </message>
    <message>
        <source>Penalty provision</source>
        <translation>处罚依据</translation>
    </message>
    <message>
        <source>Order to correct: what and by when</source>
        <translation>责令改正的内容和期限</translation>
    </message>
    <message>
        <source>Use of the discretion benchmark</source>
        <translation>裁量基准适用说明</translation>
    </message>
    <message>
        <source>Written reason for deviating from the benchmark</source>
        <translation>偏离裁量基准的书面理由</translation>
    </message>
    <message>
        <source>Brief facts</source>
        <translation>简要案情</translation>
    </message>
    <message>
        <source>Reason for filing</source>
        <translation>立案理由</translation>
    </message>
    <message>
        <source>Handler's opinion</source>
        <translation>承办人意见</translation>
    </message>
    <message>
        <source>Head's opinion</source>
        <translation>负责人意见</translation>
    </message>
    <message>
        <source>Reason for not filing</source>
        <translation>不予立案理由</translation>
    </message>
    <message>
        <source>Started at</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Ended at</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Officers</source>
        <translation>执法人员</translation>
    </message>
    <message>
        <source>Certificates shown to the party</source>
        <translation>已向当事人出示执法证件</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>检查情况</translation>
    </message>
    <message>
        <source>Present</source>
        <translation>在场人</translation>
    </message>
    <message>
        <source>Party signed</source>
        <translation>当事人已签名</translation>
    </message>
    <message>
        <source>Recorder</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Certificates shown</source>
        <translation>已出示执法证件</translation>
    </message>
    <message>
        <source>Rights notified</source>
        <translation>已告知权利义务</translation>
    </message>
    <message>
        <source>Person questioned</source>
        <translation>被询问人</translation>
    </message>
    <message>
        <source>Questions and answers (lines starting 问：/答：)</source>
        <translation>询问内容（每行以“问：”或“答：”开头）</translation>
    </message>
    <message>
        <source>Confirmed as true by the person</source>
        <translation>被询问人确认笔录属实</translation>
    </message>
    <message>
        <source>Items sampled</source>
        <translation>抽样物品</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Matter</source>
        <translation>审批事项</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>Items to preserve</source>
        <translation>拟先行登记保存的物品</translation>
    </message>
    <message>
        <source>Instalment plan</source>
        <translation>分期方案</translation>
    </message>
    <message>
        <source>Complex case (collective discussion)</source>
        <translation>案情复杂（须集体讨论）</translation>
    </message>
    <message>
        <source>Case summary (facts, evidence, law, benchmark, officers and certificates)</source>
        <translation>案件情况说明（事实、证据、法律适用、裁量基准适用、执法人员及证号）</translation>
    </message>
    <message>
        <source>Draft decision</source>
        <translation>处理决定代拟稿</translation>
    </message>
    <message>
        <source>Corrections made</source>
        <translation>补正情况</translation>
    </message>
    <message>
        <source>Conclusion</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>审核要点</translation>
    </message>
    <message>
        <source>Opinion</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Corrections asked for</source>
        <translation>需补正的事项</translation>
    </message>
    <message>
        <source>Heads taking part</source>
        <translation>参加讨论的负责人</translation>
    </message>
    <message>
        <source>Opinions</source>
        <translation>讨论意见</translation>
    </message>
    <message>
        <source>Settles the disagreement with the reviewer</source>
        <translation>解决与法制审核意见的分歧</translation>
    </message>
    <message>
        <source>Facts</source>
        <translation>违法事实</translation>
    </message>
    <message>
        <source>Reason for deviating from the benchmark</source>
        <translation>偏离裁量基准的理由</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>送达文书</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>送达方式</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>受送达人</translation>
    </message>
    <message>
        <source>Receipt signed</source>
        <translation>受送达人已签收</translation>
    </message>
    <message>
        <source>Witness</source>
        <translation>见证人</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>By</source>
        <translation>陈述申辩人</translation>
    </message>
    <message>
        <source>Statement and defence</source>
        <translation>陈述申辩内容</translation>
    </message>
    <message>
        <source>Adopted</source>
        <translation>采纳</translation>
    </message>
    <message>
        <source>Waived in writing</source>
        <translation>书面放弃</translation>
    </message>
    <message>
        <source>Party's statement</source>
        <translation>当事人书面表示</translation>
    </message>
    <message>
        <source>Hearing date</source>
        <translation>听证日期</translation>
    </message>
    <message>
        <source>Chair</source>
        <translation>听证主持人</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>听证笔录</translation>
    </message>
    <message>
        <source>Hearing report</source>
        <translation>听证报告</translation>
    </message>
    <message>
        <source>Recommendation</source>
        <translation>处理意见</translation>
    </message>
    <message>
        <source>Evidence relied on</source>
        <translation>认定事实的证据</translation>
    </message>
    <message>
        <source>Reasons (on the statement and defence)</source>
        <translation>理由（采纳或不采纳陈述申辩意见的理由）</translation>
    </message>
    <message>
        <source>Decided on the hearing transcript</source>
        <translation>根据听证笔录作出决定</translation>
    </message>
    <message>
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>缴款方式</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>缴款凭证号</translation>
    </message>
    <message>
        <source>Archive number</source>
        <translation>档号</translation>
    </message>
    <message>
        <source>Retention</source>
        <translation>保管期限</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Name, relation to the case, ID number</source>
        <translation>姓名，与本案关系，身份证件号码</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>审核要点</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>结论</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Complies</source>
        <translation>符合</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>存在问题</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>审批事项</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>Disposal</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>情况说明</translation>
    </message>
    <message>
        <source>Officer to withdraw</source>
        <translation>申请回避的人员</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>Grounds</source>
        <translation>回避理由</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Replacement officer</source>
        <translation>更换的承办人员</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>情形</translation>
    </message>
    <message>
        <source>Reminder served on</source>
        <translation>催告书送达日期</translation>
    </message>
    <message>
        <source>People's court</source>
        <translation>人民法院</translation>
    </message>
    <message>
        <source>Kind of evidence (Art. 46)</source>
        <translation>证据种类（第四十六条）</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>证据说明</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>证据来源</translation>
    </message>
    <message>
        <source>Collected by</source>
        <translation>收集人</translation>
    </message>
    <message>
        <source>Collected at</source>
        <translation>收集时间</translation>
    </message>
    <message>
        <source>Record to correct</source>
        <translation>被更正的记录</translation>
    </message>
    <message>
        <source>Item corrected (e.g. findings, place)</source>
        <translation>更正的项目（如 findings 检查情况、place 地点）</translation>
    </message>
    <message>
        <source>Corrected text</source>
        <translation>更正后的内容</translation>
    </message>
    <message>
        <source>Reason for the correction</source>
        <translation>更正理由</translation>
    </message>
    <message>
        <source>Proposed closing date</source>
        <translation>拟结案日期</translation>
    </message>
    <message>
        <source>Closing report (how the case was handled, why it may close)</source>
        <translation>结案报告（办理情况及结案意见）</translation>
    </message>
    <message>
        <source>Reason for returning the closing report</source>
        <translation>退回理由</translation>
    </message>
    <message>
        <source>Served by (two officers)</source>
        <translation>送达人（两名执法人员）</translation>
    </message>
    <message>
        <source>Photo taken at (YYYY-MM-DD HH:MM)</source>
        <translation>拍摄时间（年-月-日 时:分）</translation>
    </message>
    <message>
        <source>Photo taken where</source>
        <translation>拍摄地点</translation>
    </message>
    <message>
        <source>Photo taken by</source>
        <translation>拍摄人</translation>
    </message>
    <message>
        <source>What it proves</source>
        <translation>证明对象（证明内容）</translation>
    </message>
    <message>
        <source>Identity document (ID card, business licence)</source>
        <translation>证件名称（居民身份证、营业执照）</translation>
    </message>
    <message>
        <source>Identity document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>%1 field(s) to put right: see the red lines under them.</source>
        <translation>有%1处需要修改，见各栏下方的红字（鼠标停留可看全文）。</translation>
    </message>
    <message>
        <source>Fields marked * must be filled in.</source>
        <translation>带 * 的为必填项。</translation>
    </message>
    <message>
        <source>Not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Identity document</source>
        <translation>身份证件</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>years</source>
        <translation>周岁</translation>
    </message>
    <message>
        <source>Telephone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Relation to the case</source>
        <translation>与本案关系</translation>
    </message>
    <message>
        <source>Served on</source>
        <translation>送达日期</translation>
    </message>
    <message>
        <source>Paid on</source>
        <translation>缴款日期</translation>
    </message>
    <message>
        <source>Receipt (photo or scan)</source>
        <translation>缴款凭证（照片或扫描件）</translation>
    </message>
    <message>
        <source>Attach a photo or scan…</source>
        <translation>添加照片或扫描件…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Photo or scan</source>
        <translation>照片或扫描件</translation>
    </message>
    <message>
        <source>Photos and scans (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)</source>
        <translation>照片和扫描件 (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)</translation>
    </message>
    <message>
        <source>Item corrected</source>
        <translation>更正的项目</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Electronic seal image…</source>
        <translation>电子印章图片…</translation>
    </message>
    <message>
        <source>Electronic seal image</source>
        <translation>电子印章图片</translation>
    </message>
    <message>
        <source>Seal image set (%1 KB)</source>
        <translation>已设置电子印章图片（%1 KB）</translation>
    </message>
    <message>
        <source>Officers and certificates</source>
        <translation>人员与执法证件</translation>
    </message>
    <message>
        <source>Import benchmark set…</source>
        <translation>导入裁量基准…</translation>
    </message>
    <message>
        <source>Import power list…</source>
        <translation>导入权责清单…</translation>
    </message>
    <message>
        <source>Power list</source>
        <translation>权责清单文件</translation>
    </message>
    <message>
        <source>Import holiday calendar…</source>
        <translation>导入节假日安排…</translation>
    </message>
    <message>
        <source>Back up…</source>
        <translation>备份…</translation>
    </message>
    <message>
        <source>Verify records</source>
        <translation>校验全过程记录</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Login</source>
        <translation>登录名</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>执法证号</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Benchmark set</source>
        <translation>裁量基准文件</translation>
    </message>
    <message>
        <source>Holiday calendar</source>
        <translation>节假日安排文件</translation>
    </message>
    <message>
        <source>Back up to</source>
        <translation>备份到</translation>
    </message>
    <message>
        <source>Add officer</source>
        <translation>登记人员</translation>
    </message>
    <message>
        <source>Add officer…</source>
        <translation>登记人员…</translation>
    </message>
    <message>
        <source>Agency and case numbers…</source>
        <translation>执法主体与案号…</translation>
    </message>
    <message>
        <source>Agency and case numbers</source>
        <translation>执法主体与案号</translation>
    </message>
    <message>
        <source>Thresholds and review time limit…</source>
        <translation>听证与重大决定标准、审核时限…</translation>
    </message>
    <message>
        <source>Thresholds and review time limit</source>
        <translation>听证与重大决定标准、审核时限</translation>
    </message>
    <message>
        <source>Restore a backup…</source>
        <translation>从备份恢复…</translation>
    </message>
    <message>
        <source>Agency name</source>
        <translation>执法主体名称</translation>
    </message>
    <message>
        <source>Seal name</source>
        <translation>印章名称</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>辖区</translation>
    </message>
    <message>
        <source>Case number prefix</source>
        <translation>案号前缀</translation>
    </message>
    <message>
        <source>Reconsideration body</source>
        <translation>行政复议机关</translation>
    </message>
    <message>
        <source>Court for litigation</source>
        <translation>管辖法院</translation>
    </message>
    <message>
        <source>In force from</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <source>Hearing right: fines on persons from (yuan)</source>
        <translation>听证：对公民罚款达到（元）</translation>
    </message>
    <message>
        <source>Hearing right: fines on organisations from (yuan)</source>
        <translation>听证：对法人或其他组织罚款达到（元）</translation>
    </message>
    <message>
        <source>Major decision: fines on persons from (yuan)</source>
        <translation>重大执法决定：对公民罚款达到（元）</translation>
    </message>
    <message>
        <source>Major decision: fines on organisations from (yuan)</source>
        <translation>重大执法决定：对法人或其他组织罚款达到（元）</translation>
    </message>
    <message>
        <source>Legal review time limit (working days)</source>
        <translation>法制审核时限（工作日）</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <source>New password (a new signing key is issued)</source>
        <translation>新密码（将签发新的个人签名密钥）</translation>
    </message>
    <message>
        <source>Legal professional qualification</source>
        <translation>具有法律职业资格</translation>
    </message>
    <message>
        <source>Area of the certificate</source>
        <translation>执法证件适用区域</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>有效期自</translation>
    </message>
    <message>
        <source>Backup to restore</source>
        <translation>要恢复的备份</translation>
    </message>
    <message>
        <source>Restore into a new database file</source>
        <translation>恢复到新的数据库文件</translation>
    </message>
    <message>
        <source>Restored to %1; open it with --db.</source>
        <translation>已恢复到 %1，可用 --db 打开。</translation>
    </message>
    <message>
        <source>Verifying every record and evidence file…</source>
        <translation>正在校验全部记录和证据文件…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Verification cancelled.</source>
        <translation>已取消校验。</translation>
    </message>
    <message>
        <source>Verified %1 records…</source>
        <translation>已校验 %1 条记录…</translation>
    </message>
    <message>
        <source>Change the selected officer…</source>
        <translation>变更所选人员…</translation>
    </message>
    <message>
        <source>Select an officer in the table first.</source>
        <translation>请先在表中选择一名人员。</translation>
    </message>
    <message>
        <source>Account active</source>
        <translation>账户启用</translation>
    </message>
    <message>
        <source>Certificate to revoke</source>
        <translation>吊销的执法证号</translation>
    </message>
    <message>
        <source>New certificate</source>
        <translation>新执法证号</translation>
    </message>
    <message>
        <source>Change officer</source>
        <translation>变更人员</translation>
    </message>
    <message>
        <source>Major decision: penalty kinds</source>
        <translation>重大执法决定：处罚种类</translation>
    </message>
    <message>
        <source>Major decision: decided after a hearing</source>
        <translation>重大执法决定：经过听证的案件</translation>
    </message>
    <message>
        <source>Major decision: deviating from the benchmark</source>
        <translation>重大执法决定：偏离裁量基准</translation>
    </message>
    <message>
        <source>Major decision: flagged complex by the handler</source>
        <translation>重大执法决定：承办人认定案情复杂</translation>
    </message>
    <message>
        <source>Major decision: transfer to judicial organs</source>
        <translation>重大执法决定：移送司法机关</translation>
    </message>
    <message>
        <source>All %1 records and %2 evidence files verified.</source>
        <translation>全部 %1 条记录和 %2 个证据文件校验无误。</translation>
    </message>
</context>
<context>
    <name>CaseTable</name>
    <message>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Handlers</source>
        <translation>承办人</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <source>Next deadline</source>
        <translation>下一期限</translation>
    </message>
    <message>
        <source>Fine</source>
        <translation>罚款</translation>
    </message>
    <message>
        <source>(not filed)</source>
        <translation>（未立案）</translation>
    </message>
    <message numerus="yes">
        <source>overdue %n day(s)</source>
        <translation><numerusform>逾期%n天</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) left</source>
        <translation><numerusform>剩%n天</numerusform></translation>
    </message>
</context>
<context>
    <name>CaseWorkspace</name>
    <message>
        <source>Choose or drop files to register them as evidence of this case (photos, recordings, documents); each is hashed as it is stored</source>
        <translation>选择或拖入文件，登记为本案证据（照片、录音录像、书证等），每个文件存入时计算哈希</translation>
    </message>
    <message>
        <source>%1: opens its form; what you record joins the case's process record</source>
        <translation>%1：打开其表单，记录后载入本案全过程记录</translation>
    </message>
    <message>
        <source>you sign it with your personal key</source>
        <translation>须以您的个人密钥签名</translation>
    </message>
    <message>
        <source>the document it issues is numbered as it is recorded</source>
        <translation>所出具的文书在记录时编号</translation>
    </message>
    <message>
        <source>only the case's handling officers take it</source>
        <translation>仅限本案承办人员办理</translation>
    </message>
    <message>
        <source>Double-click an item to open it: a picture at full size, a recording in the system's player. Drop files here to register them.</source>
        <translation>双击打开证据：照片按原图显示，录音录像用系统播放器播放。将文件拖到此处即可登记。</translation>
    </message>
    <message>
        <source>The file of “%1” is not in this machine's evidence store.</source>
        <translation>“%1”的证据文件不在本机证据库中。</translation>
    </message>
    <message>
        <source>This computer cannot show %1 pictures, and the case file cannot print them: export them as JPEG (on the phone or the computer) and register the JPEG, or register them as they are to keep the original.</source>
        <translation>本机无法显示 %1 格式的照片，案卷中也无法印出：请先在手机或电脑上导出为 JPEG 后登记；如需保存原始文件，也可按原格式登记。</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文书</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>文号</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Open in the PDF viewer</source>
        <translation>在 PDF 阅读器中打开</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Signed paper of the %1 (%2)</source>
        <translation>%1签名纸（%2）</translation>
    </message>
    <message>
        <source>Choose a document in the list first.</source>
        <translation>请先在列表中选择文书。</translation>
    </message>
    <message>
        <source>Print %1</source>
        <translation>打印%1</translation>
    </message>
    <message>
        <source>Opened “%1” in the PDF viewer.</source>
        <translation>已在 PDF 阅读器中打开“%1”。</translation>
    </message>
    <message>
        <source>Sent “%1” to the printer.</source>
        <translation>已发送“%1”至打印机。</translation>
    </message>
    <message>
        <source>Changed since the last sign-off — check before you sign again:</source>
        <translation>上次签署后已更正的内容（请核对后再签署）：</translation>
    </message>
    <message>
        <source>Signed content corrected since it was signed</source>
        <translation>签署后被更正的内容</translation>
    </message>
    <message>
        <source>Signed:</source>
        <translation>签署时：</translation>
    </message>
    <message>
        <source>Now:</source>
        <translation>现为：</translation>
    </message>
    <message>
        <source>Record “%1” under your personal electronic signature? A signed step cannot be withdrawn; a mistake is put right by a correction recorded after it.</source>
        <translation>以您本人的电子签名办理“%1”？签署后不能撤回；如有错误，须另行记录更正。</translation>
    </message>
    <message>
        <source>Record “%1”? No investigation, decision or execution step can be taken on the case after it.</source>
        <translation>办理“%1”？此后本案不能再办理调查、决定或执行步骤。</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>未经</translation>
    </message>
    <message>
        <source>Submission</source>
        <translation>提请审核材料</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文书</translation>
    </message>
    <message>
        <source>Rendering the documents…</source>
        <translation>正在生成文书…</translation>
    </message>
    <message>
        <source>Evidence (opens at full size)</source>
        <translation>证据（点击以原尺寸打开）</translation>
    </message>
    <message>
        <source>Open the file in the system's viewer</source>
        <translation>用系统程序打开此文件</translation>
    </message>
    <message>
        <source>The case has none of these documents yet.</source>
        <translation>本案尚无这些文书。</translation>
    </message>
    <message>
        <source>%1 page(s), as they will be filed:</source>
        <translation>共%1页，即归档时的样式：</translation>
    </message>
    <message>
        <source>No proposal yet.</source>
        <translation>尚无处理意见。</translation>
    </message>
    <message>
        <source>Process record</source>
        <translation>全过程记录</translation>
    </message>
    <message>
        <source>Add evidence files…</source>
        <translation>添加证据文件…</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <source>Proposal and review</source>
        <translation>处理意见与审核</translation>
    </message>
    <message>
        <source>Evidence files</source>
        <translation>证据文件</translation>
    </message>
    <message>
        <source>Next steps</source>
        <translation>可办理的事项</translation>
    </message>
    <message>
        <source>Blocked, and why</source>
        <translation>暂不能办理的事项及原因</translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation>办案期限</translation>
    </message>
    <message>
        <source>met</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>No blocked steps.</source>
        <translation>没有受阻的事项。</translation>
    </message>
    <message>
        <source>Collected</source>
        <translation>收集时间</translation>
    </message>
    <message>
        <source>Simple procedure</source>
        <translation>简易程序</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Basis</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>届满日</translation>
    </message>
    <message>
        <source>Days left</source>
        <translation>剩余天数</translation>
    </message>
    <message>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Hash</source>
        <translation>哈希</translation>
    </message>
    <message>
        <source>Nothing for you to do on this case now.</source>
        <translation>本案目前没有您可办理的事项。</translation>
    </message>
    <message>
        <source>(choose the provision the party broke)</source>
        <translation>（请选择当事人违反的条款）</translation>
    </message>
    <message>
        <source>Proposal</source>
        <translation>处理意见</translation>
    </message>
    <message>
        <source>Benchmark</source>
        <translation>裁量基准</translation>
    </message>
    <message>
        <source>Party</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Handlers</source>
        <translation>承办人</translation>
    </message>
    <message>
        <source>%1 evidence file(s) registered.</source>
        <translation>已登记 %1 个证据文件。</translation>
    </message>
    <message>
        <source>Major decision</source>
        <translation>重大执法决定</translation>
    </message>
    <message>
        <source>overdue %1 days</source>
        <translation>逾期%1天</translation>
    </message>
    <message>
        <source>Why review is required</source>
        <translation>须经法制审核的情形</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>案件情况说明</translation>
    </message>
    <message>
        <source>Draft decision</source>
        <translation>处理决定代拟稿</translation>
    </message>
    <message>
        <source>Facts</source>
        <translation>违法事实</translation>
    </message>
    <message>
        <source>Law applied</source>
        <translation>适用法律</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>拟处罚</translation>
    </message>
    <message>
        <source>Reason for deviating</source>
        <translation>偏离裁量基准的理由</translation>
    </message>
    <message>
        <source>Officers and certificates</source>
        <translation>执法人员及证号</translation>
    </message>
    <message>
        <source>Hearing transcript</source>
        <translation>听证笔录</translation>
    </message>
    <message>
        <source>Corrections made</source>
        <translation>补正情况</translation>
    </message>
    <message>
        <source>Save the decision document as PDF…</source>
        <translation>将决定书保存为 PDF…</translation>
    </message>
    <message>
        <source>The record has forked: %1 branches recorded on different machines; the next step joins them.</source>
        <translation>记录出现分叉：不同电脑上记录了 %1 个分支，下一步记录时将自动合并。</translation>
    </message>
    <message>
        <source>Register %1 evidence file(s)</source>
        <translation>登记 %1 个证据文件</translation>
    </message>
    <message>
        <source>Save decision</source>
        <translation>保存决定书</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>已保存：%1</translation>
    </message>
    <message>
        <source>Legal review round %1</source>
        <translation>第%1次法制审核</translation>
    </message>
    <message>
        <source>(not filed yet)</source>
        <translation>（尚未立案）</translation>
    </message>
    <message>
        <source>Recorded and numbered: %1</source>
        <translation>已记录，编号：%1</translation>
    </message>
    <message>
        <source>The times of this record overlap another record of the same officer:</source>
        <translation>本笔录的时间与同一执法人员的另一份笔录重叠：</translation>
    </message>
    <message>
        <source>One officer cannot make two records at the same time. Check the times. Record it anyway?</source>
        <translation>同一执法人员不能同时制作两份笔录，请核对起止时间。仍要记录吗？</translation>
    </message>
    <message>
        <source>Receipt of the payment %1</source>
        <translation>缴款凭证%1</translation>
    </message>
</context>
<context>
    <name>CasesPage</name>
    <message>
        <source>Closed or archived</source>
        <translation>已结案或已归档</translation>
    </message>
    <message>
        <source>Search case number, party, cause, records…</source>
        <translation>检索案号、当事人、案由、记录内容…</translation>
    </message>
    <message>
        <source>All stages</source>
        <translation>全部阶段</translation>
    </message>
    <message>
        <source>My cases</source>
        <translation>我承办的</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation><numerusform>共 %n 件</numerusform></translation>
    </message>
    <message>
        <source>counting…</source>
        <translation>正在计数…</translation>
    </message>
    <message>
        <source>list unavailable</source>
        <translation>列表无法读取（详见提示）</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>%1 cases in all, as of %2</source>
        <translation>全部案件 %1 件，截至 %2</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation><numerusform>%n 件</numerusform></translation>
    </message>
    <message>
        <source>(not filed)</source>
        <translation>（未立案）</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Click a bar to list its cases here; double-click a case to open it.</source>
        <translation>点击图中的柱条，在此列出其中的案件；双击案件即可打开。</translation>
    </message>
    <message>
        <source>Click to list them</source>
        <translation>点击列出这些案件</translation>
    </message>
    <message>
        <source>Decisions and fines of</source>
        <translation>决定与罚款年度</translation>
    </message>
    <message>
        <source>Fine</source>
        <translation>罚款</translation>
    </message>
    <message>
        <source>Handlers</source>
        <translation>承办人</translation>
    </message>
    <message>
        <source>Next deadline</source>
        <translation>下一期限</translation>
    </message>
    <message>
        <source>None</source>
        <translation>暂无</translation>
    </message>
    <message>
        <source>Party</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>The agency's work</source>
        <translation>执法工作统计</translation>
    </message>
    <message>
        <source>fines</source>
        <translation>罚款</translation>
    </message>
</context>
<context>
    <name>DiscretionPanel</name>
    <message>
        <source>Discretion benchmark</source>
        <translation>行政裁量权基准</translation>
    </message>
    <message>
        <source>(no benchmark entry)</source>
        <translation>（不适用裁量基准条目）</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>基准条目</translation>
    </message>
    <message>
        <source>Circumstances</source>
        <translation>情节</translation>
    </message>
    <message>
        <source>Assess</source>
        <translation>测算</translation>
    </message>
    <message>
        <source>A fine outside the recommended range needs the written reason above.</source>
        <translation>罚款超出建议幅度的，须在上方填写书面理由。</translation>
    </message>
    <message>
        <source>yuan, if the fine depends on it</source>
        <translation>元（罚款以此为基数时填写）</translation>
    </message>
    <message>
        <source>Choose a benchmark entry first.</source>
        <translation>请先选择裁量基准条目。</translation>
    </message>
    <message>
        <source>Statutory range</source>
        <translation>法定幅度</translation>
    </message>
    <message>
        <source>Recommended grade</source>
        <translation>建议阶次</translation>
    </message>
    <message>
        <source>Recommended range</source>
        <translation>建议幅度</translation>
    </message>
    <message>
        <source>Hearing right</source>
        <translation>听证权利</translation>
    </message>
    <message>
        <source>Major decision</source>
        <translation>重大执法决定</translation>
    </message>
    <message>
        <source>Assess and fill in the penalty</source>
        <translation>测算并填入处罚</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
    <message>
        <source>Puts the penalty kinds, a fine in the middle of the recommended range and the penalty provision into the form; change them as the case requires</source>
        <translation>将处罚种类、建议幅度中间值的罚款金额和处罚依据填入本表；可按案情修改</translation>
    </message>
    <message>
        <source>The fine of this entry does not depend on an amount.</source>
        <translation>本条目的罚款不以金额为基数。</translation>
    </message>
    <message>
        <source>The penalty kinds, the fine and the penalty provision below are filled in from this assessment. A fine outside the recommended range needs a written reason.</source>
        <translation>已按本测算填入下方的处罚种类、罚款金额和处罚依据。罚款超出建议幅度的，须书面说明理由。</translation>
    </message>
    <message>
        <source>Choose the entry, enter the amounts it asks for and the circumstances, then assess: the statutory and recommended ranges show here.</source>
        <translation>选择基准条目，填写其所需的金额和情节后点击“测算并填入处罚”：法定幅度和建议幅度显示在这里。</translation>
    </message>
</context>
<context>
    <name>EvaluationPage</name>
    <message>
        <source>Take the suggested mark for this item as your decision</source>
        <translation>采用本项的建议分值作为您的判定</translation>
    </message>
    <message>
        <source>No mark is suggested for this item: decide it yourself in the next column</source>
        <translation>本项没有建议分值：请在右侧一栏自行判定</translation>
    </message>
    <message>
        <source>Choose a closed case.</source>
        <translation>请选择一件已结案件。</translation>
    </message>
    <message>
        <source>Export case file PDF…</source>
        <translation>导出案卷 PDF…</translation>
    </message>
    <message>
        <source>Export all listed…</source>
        <translation>批量导出所列案卷…</translation>
    </message>
    <message>
        <source>fails (veto)</source>
        <translation>不合格（否决）</translation>
    </message>
    <message>
        <source>Exporting case files…</source>
        <translation>正在导出案卷…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export to folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <source>Not recorded</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Save case file</source>
        <translation>保存案卷</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <source>pages</source>
        <translation>页</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>评查项目</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>分值</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>评查意见</translation>
    </message>
    <message>
        <source>veto</source>
        <translation>否决</translation>
    </message>
    <message>
        <source>no veto ground</source>
        <translation>无否决情形</translation>
    </message>
    <message>
        <source>%1 case file(s) exported.</source>
        <translation>已导出 %1 个案卷。</translation>
    </message>
    <message>
        <source>Suggested</source>
        <translation>系统建议</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Decided</source>
        <translation>评定</translation>
    </message>
    <message>
        <source>Confirm suggestion</source>
        <translation>确认建议</translation>
    </message>
    <message>
        <source>no veto</source>
        <translation>无否决</translation>
    </message>
    <message>
        <source>none (evaluator)</source>
        <translation>人工评定</translation>
    </message>
    <message>
        <source>not decided</source>
        <translation>未评</translation>
    </message>
    <message>
        <source>Save draft</source>
        <translation>保存草稿</translation>
    </message>
    <message>
        <source>Save as final</source>
        <translation>保存为最终评查结论</translation>
    </message>
    <message>
        <source>Records the items decided so far; the evaluation stays open.</source>
        <translation>保存已评定的项目，评查仍未完成。</translation>
    </message>
    <message>
        <source>Records this evaluation as the file's conclusion.</source>
        <translation>将本次评查作为案卷的评查结论保存。</translation>
    </message>
    <message>
        <source>Every item must be decided first: %1 still open.</source>
        <translation>须逐项评定后才能作为最终结论保存：尚余 %1 项未评。</translation>
    </message>
    <message>
        <source>Confirmed score</source>
        <translation>已确认得分</translation>
    </message>
    <message>
        <source>%1 item(s) decided, %2 still open (%3 points)</source>
        <translation>已评 %1 项，尚余 %2 项未评（%3 分）</translation>
    </message>
    <message>
        <source>final</source>
        <translation>最终结论</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
</context>
<context>
    <name>EvidenceGallery</name>
    <message>
        <source>At</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>录音</translation>
    </message>
    <message>
        <source>By</source>
        <translation>收集人</translation>
    </message>
    <message>
        <source>Cannot be shown here (%1)</source>
        <translation>本机无法显示（%1）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Collected by</source>
        <translation>收集人</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>File not on this machine</source>
        <translation>文件不在本机</translation>
    </message>
    <message>
        <source>Loading the picture…</source>
        <translation>正在载入原图…</translation>
    </message>
    <message>
        <source>Making the thumbnail…</source>
        <translation>正在生成缩略图…</translation>
    </message>
    <message>
        <source>Next →</source>
        <translation>下一张 →</translation>
    </message>
    <message>
        <source>Open in the system's viewer</source>
        <translation>用系统程序打开</translation>
    </message>
    <message>
        <source>Opened “%1” with the system's program.</source>
        <translation>已用系统程序打开“%1”。</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Preparing “%1” to be opened…</source>
        <translation>正在准备打开“%1”…</translation>
    </message>
    <message>
        <source>Proves</source>
        <translation>证明</translation>
    </message>
    <message>
        <source>Recording of</source>
        <translation>所录环节</translation>
    </message>
    <message>
        <source>The file could not be copied out of the evidence store to be opened.</source>
        <translation>无法从证据库复制该文件以供打开。</translation>
    </message>
    <message>
        <source>The file is not on this machine.</source>
        <translation>该文件不在本机。</translation>
    </message>
    <message>
        <source>This picture cannot be shown here; open it in the system's viewer.</source>
        <translation>本机无法显示此图片，请用系统程序打开。</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>录像</translation>
    </message>
    <message>
        <source>← Previous</source>
        <translation>← 上一张</translation>
    </message>
</context>
<context>
    <name>IdleLock</name>
    <message>
        <source>Locked — enter your password</source>
        <translation>已锁定——请输入密码</translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <source>Task</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Days left</source>
        <translation>剩余天数</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>%1 task(s) waiting for you, %2 overdue</source>
        <translation>您有 %1 项待办，其中逾期 %2 项</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Enforcement case recorder — log in</source>
        <translation>行政执法案件记录——登录</translation>
    </message>
    <message>
        <source>Administrative enforcement case recorder</source>
        <translation>行政执法案件记录系统</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Device key</source>
        <translation>设备密钥</translation>
    </message>
    <message>
        <source>Passphrase of this computer's device key:</source>
        <translation>本机设备密钥的口令：</translation>
    </message>
    <message>
        <source>Cannot open the database</source>
        <translation>无法打开数据库</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Agency's work</source>
        <translation>工作统计</translation>
    </message>
    <message>
        <source>demo database</source>
        <translation>演示数据库</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>切换用户</translation>
    </message>
    <message>
        <source>Register a lead: the party, the cause and the two handling officers (Ctrl+N)</source>
        <translation>登记案源：当事人、案由和两名承办人员（Ctrl+N）</translation>
    </message>
    <message>
        <source>Write the case open now, or every case, to a bundle file for another machine</source>
        <translation>把当前打开的案件或全部案件写成案件包，交给另一台电脑</translation>
    </message>
    <message>
        <source>Check a bundle from another machine whole and add what is new to this record</source>
        <translation>完整校验来自另一台电脑的案件包，把其中新的记录加入本机</translation>
    </message>
    <message>
        <source>&amp;Case</source>
        <translation>案件(&amp;C)</translation>
    </message>
    <message>
        <source>Search cases</source>
        <translation>查找案件</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Print the chosen document…</source>
        <translation>打印所选文书…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>查看(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Prints the document chosen in the case's document list</source>
        <translation>打印本案文书列表中选中的文书</translation>
    </message>
    <message>
        <source>Open a case first: printing is of its documents</source>
        <translation>请先打开一件案件：打印的是案件的文书</translation>
    </message>
    <message>
        <source>Log out and let another user log in at this desk (Ctrl+Shift+L)</source>
        <translation>退出当前用户，由其他用户在本机登录（Ctrl+Shift+L）</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>待办</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>当前案件</translation>
    </message>
    <message>
        <source>Enforcement case recorder</source>
        <translation>行政执法案件记录</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>案卷评查</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>新建案件…</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>Export case bundle…</source>
        <translation>导出案件包…</translation>
    </message>
    <message>
        <source>Import case bundle…</source>
        <translation>导入案件包…</translation>
    </message>
    <message>
        <source>Export case bundle</source>
        <translation>导出案件包</translation>
    </message>
    <message>
        <source>Import case bundle</source>
        <translation>导入案件包</translation>
    </message>
    <message>
        <source>Only the case open now? (No: every case)</source>
        <translation>只导出当前打开的案件？（选“否”导出全部案件）</translation>
    </message>
    <message>
        <source>No encryption (the bundle holds full identity numbers: only for media kept safe)</source>
        <translation>不加密（案件包含完整身份证号，只用于妥善保管的介质）</translation>
    </message>
    <message>
        <source>Encrypt the bundle for the device that will import it (a device is listed once a bundle from it has been imported):</source>
        <translation>加密给将导入此案件包的设备（从某设备导入过案件包后，它才会列在这里）：</translation>
    </message>
    <message>
        <source>Writing the case bundle…</source>
        <translation>正在写入案件包…</translation>
    </message>
    <message>
        <source>Case bundle written</source>
        <translation>案件包已导出</translation>
    </message>
    <message>
        <source>Checking and importing the case bundle…</source>
        <translation>正在校验并导入案件包…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>A device not yet trusted</source>
        <translation>尚未信任的设备</translation>
    </message>
    <message>
        <source>Device %1 sent this bundle; its key fingerprint is

%2

Compare it with the fingerprint shown on that machine (bundle devices). Trust it?</source>
        <translation>此案件包来自设备 %1，其密钥指纹为

%2

请与该设备上显示的指纹（bundle devices）核对。是否信任该设备？</translation>
    </message>
    <message>
        <source>Case bundle imported</source>
        <translation>案件包已导入</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>未能办理</translation>
    </message>
</context>
<context>
    <name>NetworkLink</name>
    <message>
        <source>Hub: not running</source>
        <translation>汇聚节点：本机网络服务未启动</translation>
    </message>
    <message>
        <source>Hub: starting</source>
        <translation>汇聚节点：正在启动本机网络服务…</translation>
    </message>
    <message>
        <source>Hub: connected</source>
        <translation>汇聚节点：已连接</translation>
    </message>
    <message>
        <source>Hub: offline since %1</source>
        <translation>汇聚节点：离线（自 %1 起）</translation>
    </message>
    <message>
        <source>Hub: offline</source>
        <translation>汇聚节点：离线</translation>
    </message>
    <message>
        <source>%1 waiting to go up</source>
        <translation>待上传 %1 条</translation>
    </message>
    <message>
        <source>Hub %1</source>
        <translation>汇聚节点 %1</translation>
    </message>
    <message>
        <source>Received from the hub since the start: %1</source>
        <translation>本次启动以来收到 %1 条记录</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case</source>
        <translation>新建案件</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>法人或其他组织</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>自然人</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Party kind</source>
        <translation>当事人类型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称（姓名）</translation>
    </message>
    <message>
        <source>ID number / USCC</source>
        <translation>统一社会信用代码 / 身份证号码</translation>
    </message>
    <message>
        <source>Legal representative</source>
        <translation>法定代表人</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Benchmark entry</source>
        <translation>裁量基准条目</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>案由</translation>
    </message>
    <message>
        <source>Date of the act</source>
        <translation>违法行为发生日期</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>案件来源</translation>
    </message>
    <message>
        <source>Second officer</source>
        <translation>另一名执法人员</translation>
    </message>
    <message>
        <source>Lead summary</source>
        <translation>案源简要情况</translation>
    </message>
    <message>
        <source>check digit correct</source>
        <translation>校验码正确</translation>
    </message>
    <message>
        <source>General procedure (lead to be filed)</source>
        <translation>普通程序（案源登记，待立案）</translation>
    </message>
    <message>
        <source>Simple procedure (decided on the spot)</source>
        <translation>简易程序（当场作出决定）</translation>
    </message>
    <message>
        <source>Fine</source>
        <translation>罚款</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Certificates shown to the party</source>
        <translation>已向当事人出示执法证件</translation>
    </message>
    <message>
        <source>Party's signature</source>
        <translation>当事人签收</translation>
    </message>
    <message>
        <source>Party signed the decision</source>
        <translation>当事人已在决定书上签名</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Facts</source>
        <translation>违法事实</translation>
    </message>
    <message>
        <source>Legal basis</source>
        <translation>处罚依据</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>处罚种类</translation>
    </message>
    <message>
        <source>Fine (yuan)</source>
        <translation>罚款金额（元）</translation>
    </message>
    <message>
        <source>Pre-printed form number</source>
        <translation>预定格式决定书编号</translation>
    </message>
    <message>
        <source>Procedure</source>
        <translation>程序</translation>
    </message>
    <message>
        <source>Fields marked * must be filled in.</source>
        <translation>带 * 的为必填项。</translation>
    </message>
    <message>
        <source>Conduct (benchmark entry)</source>
        <translation>违法行为（裁量基准）</translation>
    </message>
    <message>
        <source>Create the case</source>
        <translation>创建案件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Citizen ID number</source>
        <translation>公民身份号码</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>The scan named is the one kept as signed</source>
        <translation>以所选扫描件作为签名的纸面记录</translation>
    </message>
    <message>
        <source>No scan is registered on this case yet: register the signed paper as evidence first</source>
        <translation>本案还没有登记扫描件：请先把签过名的纸面记录登记为证据</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>The text you sign:</source>
        <translation>您签名确认的内容：</translation>
    </message>
    <message>
        <source>Confirm signature</source>
        <translation>确认签名</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除重签</translation>
    </message>
    <message>
        <source>Nothing has been signed yet: sign on the line above.</source>
        <translation>尚未签名：请在上方签名线处书写。</translation>
    </message>
    <message>
        <source>Refused to sign</source>
        <translation>拒绝签名</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Reason stated</source>
        <translation>当事人所述情况</translation>
    </message>
    <message>
        <source>Witness who signs</source>
        <translation>见证人（签名）</translation>
    </message>
    <message>
        <source>Or the audio-visual record</source>
        <translation>或录音录像证据</translation>
    </message>
    <message>
        <source>Record the refusal</source>
        <translation>记录拒签情况</translation>
    </message>
    <message>
        <source>State the reason given for refusing.</source>
        <translation>请注明拒绝签名的情况。</translation>
    </message>
    <message>
        <source>A refusal needs a witness who signs, or an audio-visual record of it.</source>
        <translation>拒绝签名的，应由见证人签名或者以录音录像记录。</translation>
    </message>
    <message>
        <source>Add a signer</source>
        <translation>添加签名人</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>not signed</source>
        <translation>未签名</translation>
    </message>
    <message>
        <source>add the photo or scan as evidence of the case first</source>
        <translation>请先将签名纸的照片或扫描件作为本案证据存入</translation>
    </message>
    <message>
        <source>The signed paper</source>
        <translation>已签名的纸质笔录</translation>
    </message>
    <message>
        <source>Evidence item</source>
        <translation>证据</translation>
    </message>
    <message>
        <source>From a photo or scan file…</source>
        <translation>从照片或扫描文件添加…</translation>
    </message>
    <message>
        <source>Photos and scans (*.jpg *.jpeg *.png *.heic *.pdf *.tif *.tiff)</source>
        <translation>照片和扫描件 (*.jpg *.jpeg *.png *.heic *.pdf *.tif *.tiff)</translation>
    </message>
</context>
</TS>
