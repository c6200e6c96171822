"""People and their roles, and one-time login codes."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.dbtypes import UtcDateTime
from app.extensions import db
from app.timeutil import utcnow

ROLES = ("worker", "volunteer", "employer", "official", "admin")


class User(UserMixin, db.Model):
    """A person who uses the service. ID numbers are kept only as a keyed hash and a mask."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(50))
    sex: Mapped[str | None] = mapped_column(String(1))
    id_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_masked: Mapped[str | None] = mapped_column(String(18))
    # Household region for workers; the region of responsibility for officials and staff.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    region = relationship("Region", lazy="joined")

    @property
    def roles(self) -> list[str]:
        return sorted({r.role for r in self.role_rows}, key=ROLES.index)

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.role_rows)

    def has_any_role(self, roles: tuple[str, ...] | list[str]) -> bool:
        return any(r.role in roles for r in self.role_rows)

    def add_role(self, role: str) -> None:
        if not self.has_role(role):
            self.role_rows.append(UserRole(role=role))

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN ('worker','volunteer','employer','official','admin')", name="role_known"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


OTP_PURPOSES = ("login", "erasure")


class OtpChallenge(db.Model):
    """One sent one-time code: stored hashed, valid for minutes, a handful of attempts.

    `purpose` keeps codes apart: a login code cannot confirm the erasure of an account
    (app/privacy) and an erasure code cannot log anyone in.
    """

    __tablename__ = "otp_challenges"
    __table_args__ = (Index("ix_otp_challenges_phone_created", "phone", "created_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[str] = mapped_column(String(16), default="login", server_default="login")
    code_hash: Mapped[str] = mapped_column(String(64))
    created_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_dt: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    consumed_dt: Mapped[datetime | None] = mapped_column(UtcDateTime)
