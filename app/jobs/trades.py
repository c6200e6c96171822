"""The fixed list of trades (工种) that postings, labour demand and employment intents share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trade:
    """One trade: a stable machine `code` and its names in Chinese and English."""

    code: str
    zh: str
    en: str

    def name(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh


TRADES: tuple[Trade, ...] = (
    Trade("manufacturing", "制造业普工", "Manufacturing line worker"),
    Trade("construction", "建筑施工", "Construction"),
    Trade("electronics", "电子装配", "Electronics assembly"),
    Trade("logistics", "物流运输", "Logistics and transport"),
    Trade("catering", "餐饮服务", "Catering"),
    Trade("domestic", "家政服务", "Domestic service"),
    Trade("sanitation", "环卫保洁", "Sanitation and cleaning"),
    Trade("agriculture", "农业生产", "Agriculture"),
    Trade("security", "安保", "Security guard"),
    Trade("garment", "服装纺织", "Garment and textiles"),
    Trade("other", "其他", "Other"),
)
TRADE_CODES: tuple[str, ...] = tuple(t.code for t in TRADES)
_BY_CODE = {t.code: t for t in TRADES}


def get_trade(code: str) -> Trade | None:
    """The trade with this code, or None."""
    return _BY_CODE.get(code)


def trade_name(code: str, locale: str = "zh-CN") -> str:
    """The trade's name in the locale; the code itself if it is not on the list."""
    trade = _BY_CODE.get(code)
    return trade.name(locale) if trade else code
