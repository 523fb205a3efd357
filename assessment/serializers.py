"""Input and output shapes for the self-assessment."""

from __future__ import annotations

from rest_framework import serializers

from assessment.key_tests import BY_CODE, DOMAINS, RATING_CHOICES, STEP_BY_RATING, year_label
from assessment.models import Answer, Assessment
from backend.selectors import organisation_list
from backend.serializers import ScopedPrimaryKeyRelatedField
from backend.validators import SafeTextMixin


class LinkSerializer(SafeTextMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500)


class AnswerSerializer(SafeTextMixin, serializers.ModelSerializer):
    """One key test's answer. ``evidence`` is what Ripple computed from its data (a
    statement, figures, the records behind them, where to see them) at ``evidence_at``."""

    domain = serializers.SerializerMethodField()
    question = serializers.SerializerMethodField()
    rating = serializers.ChoiceField(choices=RATING_CHOICES, allow_null=True, required=False)
    rating_label = serializers.SerializerMethodField()
    links = LinkSerializer(many=True, required=False)
    updated_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "code",
            "domain",
            "question",
            "rating",
            "rating_label",
            "narrative",
            "links",
            "evidence",
            "evidence_at",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["code", "evidence", "evidence_at", "updated_at"]

    def get_domain(self, answer: Answer) -> str:
        return BY_CODE[answer.code].domain

    def get_question(self, answer: Answer) -> str:
        return BY_CODE[answer.code].question

    def get_rating_label(self, answer: Answer) -> str | None:
        step = STEP_BY_RATING.get(answer.rating)
        return f"{step.rating}: {step.name}" if step else None


class AssessmentSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(organisation_list)
    label = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "year",
            "label",
            "status",
            "evidence_at",
            "agreed_at",
            "created_at",
            "updated_at",
            "answers",
        ]
        read_only_fields = ["status", "evidence_at", "agreed_at", "created_at", "updated_at"]
        validators: list = []  # the service names a duplicate year

    def get_label(self, assessment: Assessment) -> str:
        return year_label(assessment.year)


class AssessmentListSerializer(AssessmentSerializer):
    class Meta(AssessmentSerializer.Meta):
        fields = [f for f in AssessmentSerializer.Meta.fields if f != "answers"]


class ReopenSerializer(SafeTextMixin, serializers.Serializer):
    reason = serializers.CharField()


class DomainSummarySerializer(serializers.Serializer):
    key = serializers.CharField(source="domain.key")
    name = serializers.CharField(source="domain.name")
    rated = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    average_before = serializers.FloatField(allow_null=True)
    with_evidence = serializers.IntegerField()


class ComparisonLineSerializer(serializers.Serializer):
    code = serializers.CharField(source="test.code")
    rating = serializers.IntegerField(source="answer.rating", allow_null=True)
    rating_before = serializers.SerializerMethodField()
    movement = serializers.CharField()
    figures = serializers.ListField(child=serializers.DictField())

    def get_rating_before(self, line) -> int | None:
        return line.before.rating if line.before else None


class ComparisonSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    compared_with = serializers.IntegerField(allow_null=True)
    domains = DomainSummarySerializer(many=True)
    lines = ComparisonLineSerializer(many=True)


DOMAIN_KEYS = [domain.key for domain in DOMAINS]
