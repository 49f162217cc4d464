from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("mo-dot/", views.cycle_open, name="cycle_open"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path(
        "<int:pk>/quyet-dinh-theo-de-xuat/",
        views.cycle_decide_as_proposed,
        name="cycle_decide_as_proposed",
    ),
    path("<int:pk>/cong-bo/", views.cycle_publish, name="cycle_publish"),
    path(
        "<int:pk>/bieu-quyet.pdf", views.cycle_vote_document, {"fmt": "pdf"}, name="cycle_vote_pdf"
    ),
    path(
        "<int:pk>/bieu-quyet.docx",
        views.cycle_vote_document,
        {"fmt": "docx"},
        name="cycle_vote_docx",
    ),
    path(
        "<int:pk>/quyet-dinh.pdf",
        views.cycle_decision_document,
        {"fmt": "pdf"},
        name="cycle_decision_pdf",
    ),
    path(
        "<int:pk>/quyet-dinh.docx",
        views.cycle_decision_document,
        {"fmt": "docx"},
        name="cycle_decision_docx",
    ),
    path("phieu/<int:pk>/", views.review_detail, name="review"),
    path("phieu/<int:pk>/tu-kiem-diem/", views.review_self, name="review_self"),
    path("phieu/<int:pk>/nhan-xet/", views.review_comment, name="review_comment"),
    path("phieu/<int:pk>/noi-cu-tru/", views.review_residence, name="review_residence"),
    path("phieu/<int:pk>/bieu-quyet/", views.review_vote, name="review_vote"),
    path("phieu/<int:pk>/de-xuat/", views.review_propose, name="review_propose"),
    path("phieu/<int:pk>/quyet-dinh/", views.review_decide, name="review_decide"),
    path("phieu/<int:pk>/tra-lai/", views.review_return, name="review_return"),
    path(
        "phieu/<int:pk>/tu-kiem-diem.pdf", views.review_document, {"fmt": "pdf"}, name="review_pdf"
    ),
    path(
        "phieu/<int:pk>/tu-kiem-diem.docx",
        views.review_document,
        {"fmt": "docx"},
        name="review_docx",
    ),
    path("to-chuc/<int:pk>/", views.organization_review_detail, name="organization"),
    path("to-chuc/<int:pk>/tu-kiem-diem/", views.organization_self, name="organization_self"),
    path("to-chuc/<int:pk>/de-xuat/", views.organization_propose, name="organization_propose"),
    path("to-chuc/<int:pk>/quyet-dinh/", views.organization_decide, name="organization_decide"),
    path("to-chuc/<int:pk>/tra-lai/", views.organization_return, name="organization_return"),
    path("ket-qua/<int:unit_pk>/", views.unit_results, name="results"),
    path("dang-vien/<int:member_pk>/", views.member_history, name="member_history"),
]
