"""The demo organisation: Changning's 11 squads, their communities and users.

Names of communities, property companies and people are invented. Addresses reuse
the lanes of the 12345 sample export so its import can map them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import write_transaction
from sync.domain.passwords import hash_password
from sync.domain.roles import Role
from sync.store import audit, org

DEFAULT_PASSWORD = "Workroom2026"

# (squad id, name, area type, [(community suffix, community name, address keywords)])
SQUADS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("hy", "华阳路街道中队", "street", [
        ("01", "华三居民区", "淞虹路674弄"), ("02", "大西别墅居民区", "哈密路609弄"),
        ("03", "西镇居民区", "长宁路1000弄")]),
    ("js", "江苏路街道中队", "street", [
        ("01", "华山居民区", "虹桥路737弄 虹桥路209弄"), ("02", "愚三居民区", "哈密路377弄"),
        ("03", "北汪居民区", "延安西路503弄 淞虹路546弄")]),
    ("xh", "新华路街道中队", "street", [
        ("01", "番禺居民区", "淞虹路643弄"), ("02", "新华居民区", "仙霞路907弄 仙霞路674弄"),
        ("03", "梅泰恒居民区", "延安西路328弄")]),
    ("zjq", "周家桥街道中队", "street", [
        ("01", "天山一村居民区", "延安西路222弄"), ("02", "长宁新城居民区", "天山路14弄"),
        ("03", "仙霞新苑居民区", "仙霞路632弄")]),
    ("ts", "天山路街道中队", "street", [
        ("01", "天山四村居民区", "延安西路187弄"), ("02", "紫云居民区", "仙霞路225弄"),
        ("03", "天义居民区", "天山路100弄")]),
    ("xx", "仙霞新村街道中队", "street", [
        ("01", "虹仙居民区", "哈密路763弄"), ("02", "茅台居民区", "淞虹路697弄"),
        ("03", "威宁居民区", "天山路412弄")]),
    ("hq", "虹桥街道中队", "street", [
        ("01", "古北居民区", "天山路955弄"), ("02", "虹储居民区", "淞虹路111弄"),
        ("03", "荣华居民区", "虹桥路341弄")]),
    ("cjq", "程家桥街道中队", "street", [
        ("01", "上航新村居民区", "虹桥路389弄"), ("02", "虹桥机场新村居民区", "哈密路200弄"),
        ("03", "程桥二村居民区", "程家桥路50弄")]),
    ("bxj", "北新泾街道中队", "street", [
        ("01", "新泾北苑居民区", "延安西路762弄"), ("02", "新泾一村居民区", "淞虹路523弄"),
        ("03", "平塘居民区", "平塘路88弄")]),
    ("xj", "新泾镇中队", "town", [
        ("01", "新泾五村居民区", "虹桥路309弄"), ("02", "淞虹苑居民区", "淞虹路990弄"),
        ("03", "绿园居民区", "延安西路425弄")]),
    ("lk", "临空经济园区中队", "park", [
        ("01", "临空一号园区", "临虹路289号"), ("02", "临空二号园区", "协和路1033号"),
        ("03", "临空三号园区", "福泉北路518号")]),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: Role
    squad: str | None
    communities: tuple[str, ...] = ()
    phone: str | None = None


def demo_users() -> list[DemoUser]:
    people = [
        DemoUser("admin", "系统管理员", Role.ADMIN, None),
        DemoUser("bureau01", "区局督察员", Role.BUREAU, None),
        DemoUser("liaison01", "张伟", Role.LIAISON, "hy", ("c-hy-01", "c-hy-02"), "13800000001"),
        DemoUser("liaison02", "李娜", Role.LIAISON, "hy", ("c-hy-01",), "13800000002"),
        DemoUser("liaison03", "王强", Role.LIAISON, "js",
                 ("c-js-01", "c-js-02", "c-js-03"), "13800000003"),
        DemoUser("liaison04", "刘洋", Role.LIAISON, "hy", ("c-hy-03",), "13800000004"),
    ]
    for n, (squad, name, _, _) in enumerate(SQUADS, start=1):
        people.append(DemoUser(f"leader{n:02d}", f"{name[:-2]}中队长", Role.SQUAD_LEADER, squad))
    others = [s for s in SQUADS if s[0] not in ("hy", "js")]
    for n, (squad, _, _, communities) in enumerate(others, start=5):
        people.append(DemoUser(
            f"liaison{n:02d}", f"联络员{n:02d}", Role.LIAISON, squad,
            tuple(f"c-{squad}-{suffix}" for suffix, _, _ in communities), f"138000000{n:02d}"))
    return people


async def seed_demo(engine: AsyncEngine, clock: Clock, *, password: str,
                    password_hash: str | None = None) -> int:
    """Create what is missing; return how many things changed (0 on a second run).

    ``password_hash`` lets the tests seed a cheaper argon2id hash of the same password.
    """
    password_hash = password_hash or hash_password(password)
    now = clock.now_ms()
    changed = 0
    users = demo_users()
    async with write_transaction(engine) as conn:
        for order, (squad, squad_name, area_type, communities) in enumerate(SQUADS):
            changed += await org.upsert_squad(conn, id=f"sq-{squad}", name=squad_name,
                                              area_type=area_type, sort_order=order)
            for suffix, name, keywords in communities:
                community_id = f"c-{squad}-{suffix}"
                company_id = f"pc-{squad}-{suffix}"
                changed += await org.upsert_property_company(
                    conn, id=company_id, name=f"{name.removesuffix('居民区')}物业服务有限公司",
                    phone=None)
                changed += await org.upsert_community(
                    conn, id=community_id, squad_id=f"sq-{squad}", name=name,
                    address_keywords=keywords, now_ms=now)
                changed += await org.link_property_company(conn, community_id, company_id)
        for person in users:
            user = await org.find_user(conn, person.username)
            if user is None:
                user = await org.add_user(
                    conn, username=person.username, name=person.name, role=person.role,
                    squad_id=f"sq-{person.squad}" if person.squad else None,
                    phone=person.phone, password_hash=password_hash, now_ms=now)
                changed += 1
            for community_id in person.communities:
                # The demo's liaisons have covered their communities all along: past
                # periods' evaluations find them.
                changed += await org.assign(conn, user, community_id, now_ms=now, since_ms=0)
        changed += await _set_cards(conn, users)
        if changed:
            await audit.record(conn, at_ms=now, actor="cli", action="seed_demo",
                               detail={"changes": changed}, source="cli")
    return changed


async def _set_cards(conn: AsyncConnection, users: list[DemoUser]) -> int:
    """Each community's public card shows its first liaison (R1)."""
    changed = 0
    first_liaison: dict[str, DemoUser] = {}
    for person in users:
        for community_id in person.communities:
            first_liaison.setdefault(community_id, person)
    for community_id, person in first_liaison.items():
        changed += await org.set_liaison_card(
            conn, community_id, liaison_name=person.name, phone=person.phone or "")
    return changed
