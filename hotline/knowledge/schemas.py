"""API shapes for the knowledge base."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class SearchQuery(Schema):
    q: str = Field("", description="问题或关键词（超过 300 字只按前 300 字查找；超过 10000 字拒绝）")
    limit: int = Field(10, ge=1, le=50)
    category: int | None = Field(None, description="分类 id")
    department: str | None = Field(None, description="责任单位编码（含下级单位）")
    include_expired: bool = Field(False, description="包括已过失效日期的文章")


class HitOut(Schema):
    id: int
    title: str
    snippet: str = Field(description="正文摘要，HTML 转义，命中词以 <mark> 标出")
    score: float
    url: str


class SearchOut(Schema):
    query: str
    message: str
    results: list[HitOut]


class QAPair(Schema):
    q: str
    a: str = ""


class ArticleIn(Schema):
    title: str = Field(max_length=300)
    body: str = Field("", description="HTML 或纯文本；保存时清理不安全内容")
    keywords: str = ""
    synonyms: str = ""
    tags: str = ""
    qa_pairs: list[QAPair] = Field(default_factory=list, max_length=200)
    category: int | None = None
    department: str | None = Field(None, description="责任单位编码")
    effective_from: date | None = None
    expires_on: date | None = None
    is_public: bool = False
    note: str = Field("", max_length=200, description="修改说明（记入版本）")


class ArticlePatch(Schema):
    title: str | None = Field(None, max_length=300)
    body: str | None = None
    keywords: str | None = None
    synonyms: str | None = None
    tags: str | None = None
    qa_pairs: list[QAPair] | None = Field(None, max_length=200)
    category: int | None = None
    department: str | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    is_public: bool | None = None
    version: int | None = Field(None, description="读取时的版本；已被他人修改则返回 409")
    note: str = Field("", max_length=200)


class ActionIn(Schema):
    note: str = Field("", max_length=2000)
    version: int | None = None


class FlagIn(Schema):
    kind: str = Field(description="wrong 内容有误 / outdated 内容过时 / missing 内容不全 / other 其他")
    note: str = Field("", max_length=2000)


class FlagOut(Schema):
    id: int
    article: int
    kind: str
    note: str
    state: str
    at: datetime


class ArticleOut(Schema):
    id: int
    external_id: str | None
    title: str
    status: str
    status_label: str
    body: str
    keywords: str
    synonyms: str
    tags: str
    qa_pairs: list[QAPair]
    category: int | None
    department: str | None
    effective_from: date | None
    expires_on: date | None
    is_public: bool
    version: int
    updated_at: datetime
    actions: list[str]


class ArticlePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ArticleOut]


class ListQuery(Schema):
    q: str = Field("", max_length=100)
    status: str | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(30, ge=1, le=100)
