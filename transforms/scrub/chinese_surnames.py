"""Data of the Chinese name recognizers: surnames (simplified and traditional forms), compound
surnames, and the characters common in given names. Read by :mod:`.chinese_names` and
:mod:`.chinese_name_stats`; no rules here."""

# Common single-character and compound Chinese surnames (the first character(s) of a name): the
# ~250 most frequent modern surnames plus the less common ones of the 百家姓 that are rarely
# ordinary words (水 花 山 家 国 东 红 公 ... are left out: they start too many common words).
CN_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁"
    "尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "乐萧洪郁杭惠芮储封班厉戎祖束幸韶郜薄邰鄂索赖蔺屠胥闻莘贡劳逄扶堵宰郦雍濮寿扈燕冀浦慕茹习宦"
    "戈庾暨弘匡禄阙殳沃蔚晁勾訾阚毋乜鞠巢蒯荆竺逯桓奚昌凤廉皮湛禹狄贝计伏谈茅昝裘宣贲钮嵇滑荀於"
    "汲邴糜隗宓蓬郗钭蓟籍苍璩郏夔厍谯笪佴仉缑亢况郈"
    # traditional forms (Hong Kong / Taiwan writers, fans copying their names)
    "張劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧蔣賈鍾譚陸範廖韋鄒龔萬錢嚴戴莊聶顏倪鄔邊閻覃湯"
    "羅許彭潘程賴關歐餘翟藍龍華溫賀鮑"
)
CN_COMPOUND_SURNAMES = frozenset(
    "欧阳 歐陽 司马 司馬 上官 诸葛 东方 皇甫 令狐 慕容 尉迟 夏侯 长孙 宇文 司徒 公孙 西门 南宫 独孤 端木 轩辕 "
    "万俟 闻人 赫连 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 仲孙 钟离 鲜于 闾丘 司空 亓官 司寇 颛孙 "
    "巫马 公西 漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 羊舌 微生 梁丘 左丘 "
    "东门 第五".split()
)
# Characters common in given names: what a weak naming context ("我是__", "和__说") needs the
# given name to be made of.
CN_GIVEN_NAME_CHARS = frozenset(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉梅红德金春志海云林忠成辉鹏飞鑫波斌宇"
    "浩凯健俊帆帅旭宁龙欢佳阳亮峰婷雪琳慧颖晶倩洁燕萍玲芬凤荣淑珍琴莉蓉丹彬文武新东江晓小子思梓梦"
    "雨欣怡嘉睿博涵轩宸泽豪瑞晨昊天然宏毅诚卫兵民福生贵顺喜宝安康乐庆祥瑶琪璐露菲薇蕾妍媛婉瑾璇翠"
    "彩秋冬夏月星光永长振清正良立义仁礼智信学君岚岩松柏竹桃杏荷莲菊芝蓓婕姗珊琼瑛婧妮娇美惠巧芸茜"
    "蔚馨琦晴雯韵瑜琬琰姝妤莹萱蕊彤雁鸿鹤凰虎麟骏驰腾翔翼羽扬航远坚威雄贤达仕章昌盛兴旺隆禄寿吉"
    "泰利铭钧钰铮锋淼森磊涵瀚溪河湖泉源润沛霖霜冰虹晖晗昕曦昱晟晔耀灿炳炎煜熙焕烨彪彦辰逸遥道"
    "勤朴恒宽厚恩爱心诗书墨翰苑芷若蕙茉菁楠桦杨柳桐樱枫梁栋楷佩珂琛璋珏瑗婧宜悦怡璇颖秀芹桂英兰"
    "军刚勇毅俊峰强杰斌浩伦昆鹰舟帆朋谊春夏秋冬红艳玉珍凤霞翠云莲"
    "坤鸣锦晋炜洪澜娅娴嫣朵茹莎萌峻崇嵩岳巍锐锡钢键培奎滨澄浚渊斐曼奕懿翊宾"
)
