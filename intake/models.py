"""What came in and how: a claim (诉求) submitted through one channel, attached to a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone
from routing.models import Channel


class Claim(models.Model):
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="claims")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_claims",
    )
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20, db_index=True)
    description = models.TextField(_("诉求内容"))
    matter = models.ForeignKey(
        "routing.MatterType", verbose_name=_("事项类型"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("routing.Region", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=1)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), db_index=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["submitter", "-created_at"], name="claim_submitter_recent")]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class Attachment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="claims/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class HeldUpload(models.Model):
    """A file a staff member or citizen attached to a form that came back with errors: kept on the server so
    the re-shown form still has it (issue #17: "nothing typed or attached lost"). It belongs to its
    owner and to one form (the form's ``submission_key``), becomes a claim's attachment when the
    form goes through, and is purged by a schedule after ``HELD_UPLOAD_HOURS``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+"
    )
    form_key = models.CharField(_("表单标识"), max_length=64)
    file = models.FileField(_("文件"), upload_to="held/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("上传时间"), db_index=True)

    class Meta:
        verbose_name = _("暂存附件")
        verbose_name_plural = _("暂存附件")
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "form_key"], name="held_upload_owner_form")]

    def __str__(self) -> str:
        return self.original_name
