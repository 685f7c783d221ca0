"""Every write to the knowledge base. Each one appends an ArticleChange (for the search indexes) and an
ArticleEvent (the audit trail) in the same transaction as the change."""

from hotline.knowledge.services.articles import (
    EDITABLE_FIELDS,
    article_attach,
    article_create,
    article_delete,
    article_detach,
    article_update,
)
from hotline.knowledge.services.citations import citations_record, search_log
from hotline.knowledge.services.flags import article_flag, flag_handle
from hotline.knowledge.services.imports import (
    ImportResult,
    articles_import_csv,
    articles_import_file,
    articles_import_rows,
)
from hotline.knowledge.services.workflow import (
    article_act,
    article_publish,
    article_return,
    article_review,
    article_revise,
    article_submit,
    article_withdraw,
    articles_expire_due,
)

__all__ = [
    "EDITABLE_FIELDS",
    "ImportResult",
    "article_act",
    "article_attach",
    "article_create",
    "article_delete",
    "article_detach",
    "article_flag",
    "article_publish",
    "article_return",
    "article_review",
    "article_revise",
    "article_submit",
    "article_update",
    "article_withdraw",
    "articles_expire_due",
    "articles_import_csv",
    "articles_import_file",
    "articles_import_rows",
    "citations_record",
    "flag_handle",
    "search_log",
]
