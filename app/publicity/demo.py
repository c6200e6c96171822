"""Demo articles: protection knowledge for travelling workers and notices, published a few
days ago and still up."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.publicity import services
from app.regions.services import CITY_CODE
from app.timeutil import utcnow

ARTICLES = (
    (
        "protection",
        "返岗途中如何做好个人防护",
        ["worker"],
        "## 出发前\n\n1. 在“返岗服务”中**申报健康**，领取健康码；\n2. 体温 **37.3 ℃** 及以上"
        "或有咳嗽、乏力等症状的，暂缓出行并及时就医。\n\n## 途中\n\n- 全程佩戴口罩，"
        "与他人保持一米以上距离；\n- 勤洗手，不用手触摸口鼻眼；\n- 乘坐点对点包车的，"
        "听从随车医护人员安排。\n\n## 到达后\n\n向用工单位报到，配合做好每日体温检测。",
    ),
    (
        "announcement",
        "企业员工核酸检测可申请财政补贴",
        ["employer"],
        "根据《常德市人民政府关于做好新冠肺炎疫情防控期间务工人员返岗服务工作的通知》，"
        "对组织员工开展核酸检测的企业给予财政补贴。\n\n"
        "- 在“核酸检测补贴”中登记检测批次并上传发票；\n"
        "- 所在区县按受检人数和补贴标准审核；\n- 审核结果以短信通知。",
    ),
    (
        "announcement",
        "常德健康码与主要输入地互认",
        [],
        "常德市返岗服务签发的健康码可在主要务工输入地扫码核验，"
        "持绿码、健康证明的务工人员符合条件即可上岗。详情见[常德市人民政府网站](https://www.changde.gov.cn)。",
    ),
)


def load_demo(rng: random.Random) -> dict:
    admin = db_admin()
    if admin is None:
        return {"articles": 0}
    now = utcnow()
    for kind, title, roles, body in ARTICLES:
        services.create_article(
            admin,
            {
                "kind": kind,
                "title": title,
                "body_md": body,
                "region_code": CITY_CODE,
                "roles": roles,
                "publish_dt": now - timedelta(days=rng.randint(1, 5)),
                "unpublish_dt": now + timedelta(days=60),
            },
        )
    return {"articles": len(ARTICLES)}


def db_admin() -> User | None:
    from app.extensions import db

    return db.session.scalars(select(User).where(User.username == "admin")).first()
