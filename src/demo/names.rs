//! The names the demo registers and writes: regions, themes, organisations (with their English
//! names), donors, companies and goods.

pub(super) const REGIONS: &[(&str, &str, &str)] = &[
    ("440100", "广州", "GZ"),
    ("440300", "深圳", "SZ"),
    ("440600", "佛山", "FS"),
    ("441900", "东莞", "DG"),
    ("441400", "梅州", "MZ"),
    ("445100", "潮州", "CZ"),
    ("510100", "成都", "CD"),
    ("330100", "杭州", "HZ"),
    ("110000", "北京", "BJ"),
    ("310000", "上海", "SH"),
    ("530100", "昆明", "KM"),
    ("520100", "贵阳", "GY"),
    ("450100", "南宁", "NN"),
    ("420100", "武汉", "WH"),
    ("620100", "兰州", "LZ"),
];

/// Provinces whose organisations the demo registers, and the city of REGIONS each registers in.
pub(super) const PROVINCE_CAPITALS: &[(&str, &str)] =
    &[("广东省", "广州"), ("四川省", "成都"), ("浙江省", "杭州")];

/// (purpose, project title template after the city, beneficiary word)
pub(super) const THEMES: &[(&str, &str)] = &[
    ("教育", "乡村儿童助学计划"),
    ("扶老", "社区长者助餐行动"),
    ("恤病", "大病儿童医疗救助"),
    ("助残", "残障人士就业支持"),
    ("救孤", "孤困儿童关爱计划"),
    ("扶贫济困", "困难家庭帮扶行动"),
    ("环境保护", "河湖守护志愿行动"),
    ("文化", "社区公益阅读空间"),
    ("卫生", "乡村卫生室能力提升"),
    ("体育", "青少年足球公益营"),
    ("科学", "青少年科创启明营"),
    ("救灾", "防灾减灾能力建设"),
];

/// English names the demo registers beside the Chinese ones (`name_en`), so the English site
/// and search in English have something to show; a real register holds them only where an
/// organisation gave one.
pub(super) const NAMES_EN: &[(&str, &str)] = &[
    (
        "广东省阳光助学基金会",
        "Guangdong Sunshine Education Foundation",
    ),
    (
        "深圳市壹心公益基金会",
        "Shenzhen One Heart Charity Foundation",
    ),
    (
        "广州市岭南慈善基金会",
        "Guangzhou Lingnan Charity Foundation",
    ),
    (
        "佛山市顺德社区慈善基金会",
        "Foshan Shunde Community Foundation",
    ),
    ("东莞市莞邑助老基金会", "Dongguan Elderly Care Foundation"),
    (
        "四川省天府助残基金会",
        "Sichuan Tianfu Disability Foundation",
    ),
    (
        "浙江省钱塘公益基金会",
        "Zhejiang Qiantang Public Welfare Foundation",
    ),
    (
        "北京春苗儿童救助基金会",
        "Beijing Spring Sprout Children's Relief Foundation",
    ),
    (
        "广东省绿水青山环保基金会",
        "Guangdong Green Hills Environmental Foundation",
    ),
    (
        "深圳市鹏城科创教育基金会",
        "Shenzhen Pengcheng Science Education Foundation",
    ),
    (
        "潮州市韩江乡贤基金会",
        "Chaozhou Hanjiang Hometown Foundation",
    ),
    (
        "广东省南粤医疗救助基金会",
        "Guangdong Nanyue Medical Relief Foundation",
    ),
    (
        "杭州市西溪文化发展基金会",
        "Hangzhou Xixi Culture Foundation",
    ),
    ("广州市慈善会", "Guangzhou Charity Association"),
    ("深圳市义工联合会", "Shenzhen Volunteers Association"),
    ("佛山市慈善会", "Foshan Charity Association"),
    (
        "广东省扶贫开发协会",
        "Guangdong Poverty Alleviation Association",
    ),
    ("成都市志愿者协会", "Chengdu Volunteers Association"),
    ("杭州市慈善总会", "Hangzhou Charity Federation"),
    (
        "东莞市青年志愿者协会",
        "Dongguan Youth Volunteers Association",
    ),
    ("广东省助残协会", "Guangdong Disability Support Association"),
    ("梅州市慈善总会", "Meizhou Charity Federation"),
    (
        "广东省老年人体育协会",
        "Guangdong Senior Sports Association",
    ),
    (
        "深圳市环保志愿者协会",
        "Shenzhen Environmental Volunteers Association",
    ),
    (
        "广东省社会组织促进会",
        "Guangdong Social Organisations Promotion Association",
    ),
    (
        "广州市启智社会工作服务中心",
        "Guangzhou Qizhi Social Work Centre",
    ),
    (
        "深圳市春晖长者照护中心",
        "Shenzhen Chunhui Elderly Care Centre",
    ),
    (
        "佛山市阳光家园残障人士服务中心",
        "Foshan Sunshine Home Disability Services Centre",
    ),
    (
        "东莞市星光儿童康复中心",
        "Dongguan Starlight Children's Rehabilitation Centre",
    ),
    (
        "成都市蓉城社区发展服务中心",
        "Chengdu Rongcheng Community Development Centre",
    ),
    (
        "杭州市青禾青少年成长服务中心",
        "Hangzhou Qinghe Youth Development Centre",
    ),
    (
        "广州市越秀区康乐社工服务站",
        "Guangzhou Yuexiu Kangle Social Work Station",
    ),
    (
        "深圳市龙岗区关爱留守儿童服务中心",
        "Shenzhen Longgang Left-behind Children Care Centre",
    ),
    (
        "梅州市客家长者服务中心",
        "Meizhou Hakka Elderly Services Centre",
    ),
    (
        "昆明市彩云助学服务中心",
        "Kunming Caiyun Education Support Centre",
    ),
    (
        "贵阳市筑梦乡村教育服务中心",
        "Guiyang Dream Builders Rural Education Centre",
    ),
    (
        "广东省红棉心理健康服务中心",
        "Guangdong Kapok Mental Health Centre",
    ),
    ("南粤信托有限责任公司", "Nanyue Trust Co., Ltd."),
    (
        "广东省福利彩票公益金管理中心",
        "Guangdong Welfare Lottery Fund Management Centre",
    ),
    ("广州市儿童福利院", "Guangzhou Children's Welfare Home"),
];

/// English project titles: the city's name, then the theme's (keyed by purpose).
pub(super) const CITIES_EN: &[(&str, &str)] = &[
    ("440100", "Guangzhou"),
    ("440300", "Shenzhen"),
    ("440600", "Foshan"),
    ("441900", "Dongguan"),
    ("441400", "Meizhou"),
    ("445100", "Chaozhou"),
    ("510100", "Chengdu"),
    ("330100", "Hangzhou"),
    ("110000", "Beijing"),
    ("310000", "Shanghai"),
    ("530100", "Kunming"),
    ("520100", "Guiyang"),
    ("450100", "Nanning"),
    ("420100", "Wuhan"),
    ("620100", "Lanzhou"),
];

pub(super) const THEMES_EN: &[(&str, &str)] = &[
    ("教育", "rural children's school support"),
    ("扶老", "community meals for the elderly"),
    ("恤病", "medical aid for seriously ill children"),
    ("助残", "jobs for people with disabilities"),
    ("救孤", "care for orphaned and vulnerable children"),
    ("扶贫济困", "help for families in hardship"),
    ("环境保护", "river and lake volunteers"),
    ("文化", "community reading rooms"),
    ("卫生", "village clinic upgrades"),
    ("体育", "youth football camps"),
    ("科学", "youth science camps"),
    ("救灾", "disaster preparedness"),
];

/// `zh`'s English counterpart in `table`.
pub(super) fn english(table: &[(&str, &'static str)], zh: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == zh).map(|(_, en)| *en)
}

pub(super) const FOUNDATIONS: &[&str] = &[
    "广东省阳光助学基金会",
    "深圳市壹心公益基金会",
    "广州市岭南慈善基金会",
    "佛山市顺德社区慈善基金会",
    "东莞市莞邑助老基金会",
    "四川省天府助残基金会",
    "浙江省钱塘公益基金会",
    "北京春苗儿童救助基金会",
    "广东省绿水青山环保基金会",
    "深圳市鹏城科创教育基金会",
    "潮州市韩江乡贤基金会",
    "广东省南粤医疗救助基金会",
    "杭州市西溪文化发展基金会",
];

pub(super) const SOCIAL_GROUPS: &[&str] = &[
    "广州市慈善会",
    "深圳市义工联合会",
    "佛山市慈善会",
    "广东省扶贫开发协会",
    "成都市志愿者协会",
    "杭州市慈善总会",
    "东莞市青年志愿者协会",
    "广东省助残协会",
    "梅州市慈善总会",
    "广东省老年人体育协会",
    "深圳市环保志愿者协会",
    "广东省社会组织促进会",
];

pub(super) const SERVICE_ORGS: &[&str] = &[
    "广州市启智社会工作服务中心",
    "深圳市春晖长者照护中心",
    "佛山市阳光家园残障人士服务中心",
    "东莞市星光儿童康复中心",
    "成都市蓉城社区发展服务中心",
    "杭州市青禾青少年成长服务中心",
    "广州市越秀区康乐社工服务站",
    "深圳市龙岗区关爱留守儿童服务中心",
    "梅州市客家长者服务中心",
    "昆明市彩云助学服务中心",
    "贵阳市筑梦乡村教育服务中心",
    "广东省红棉心理健康服务中心",
];

pub(super) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文";

pub(super) const COMPANIES: &[&str] = &[
    "广州市恒信贸易有限公司",
    "深圳市云帆科技有限公司",
    "佛山市美家陶瓷有限公司",
    "东莞市华盛电子有限公司",
    "成都天府餐饮管理有限公司",
    "杭州青禾网络科技有限公司",
    "北京嘉和置业有限公司",
    "广东南海建材集团有限公司",
    "珠海海韵游艇有限公司",
    "中山市灯都照明有限公司",
    "潮州市金凤陶瓷实业有限公司",
    "汕头市粤东玩具有限公司",
];

pub(super) const GOODS: &[(&str, &str, &str)] = &[
    ("儿童图书", "册", "200"),
    ("冬季棉被", "床", "150"),
    ("大米", "公斤", "1200"),
    ("轮椅", "台", "20"),
    ("笔记本电脑", "台", "30"),
    ("口罩", "箱", "80"),
    ("食用油", "桶", "300"),
];
