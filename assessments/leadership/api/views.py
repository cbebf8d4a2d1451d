"""360° feedback on leaders: HR's cycles, raters' invitations and answers, a manager's own results.

No operation returns one rater's answers: results are grouped by source under the cycle's minimum and the
disclosure rule (assessments/leadership/results.py), and a manager's own results appear once the cycle closes.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.leadership import selectors, services
from assessments.leadership.api import serializers as out
from assessments.leadership.behaviours import BEHAVIOURS, SCALE
from assessments.leadership.errors import LeadershipErrorCode
from lms.error_codes import PlatformErrorCode
from lms.models import Role
from lms.permissions import HasOrgRole, IsPerson

TAGS = ["360° feedback"]
HR_READ = HasOrgRole.of(Role.HR, Role.ORG_ADMIN, allow_api_key=True)
HR_WRITE = HasOrgRole.of(Role.HR, Role.ORG_ADMIN)


def _detail(cycle) -> dict:
    return {"cycle": cycle, "participation": selectors.cycle_participation(cycle=cycle),
            "organization_results": [out.group_data(group)
                                     for group in selectors.cycle_organization_results(cycle=cycle)]}


class CycleListApi(APIView):
    """HR's 360° cycles (list), and launching one: its managers are rated by their teams (from the memberships'
    manager field), optionally their peers, their own manager and themselves; the invitations go out by mail."""
    error_codes = (LeadershipErrorCode.INVALID_CYCLE, PlatformErrorCode.NOT_FOUND)

    def get_permissions(self):
        return [HR_READ()] if self.request.method == "GET" else [HR_WRITE()]

    @extend_schema(responses=out.CycleSerializer(many=True), tags=TAGS)
    def get(self, request):
        cycles = selectors.cycles_visible_to(actor=request.user)
        return Response(out.CycleSerializer(cycles, many=True).data)

    @extend_schema(request=out.CycleCreateSerializer, responses={201: out.CycleDetailSerializer}, tags=TAGS)
    def post(self, request):
        data = out.CycleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        organization = selectors.access_cycle_organization(actor=request.user, slug=fields["organization"])
        cycle = services.cycle_launch(
            actor=request.user, organization=organization, name=fields["name"], opens_on=fields["opens_on"],
            closes_on=fields["closes_on"], manager_ids=fields["managers"],
            minimum_raters=fields.get("minimum_raters"), peers=fields["peers"], own_manager=fields["own_manager"],
            self_rating=fields["self_rating"])
        cycle = selectors.access_cycle_read(actor=request.user, cycle_id=cycle.pk)
        return Response(out.CycleDetailSerializer(_detail(cycle)).data, status=status.HTTP_201_CREATED)


class CycleDetailApi(APIView):
    """A cycle: participation per source (invited, answered) and the organization's figures by source, each
    withheld under the minimum with its complements. Never a subject's or a rater's figures."""
    error_codes = (PlatformErrorCode.NOT_FOUND,)
    permission_classes = [HR_READ]

    @extend_schema(responses=out.CycleDetailSerializer, tags=TAGS)
    def get(self, request, cycle_id: int):
        cycle = selectors.access_cycle_read(actor=request.user, cycle_id=cycle_id)
        return Response(out.CycleDetailSerializer(_detail(cycle)).data)


class CycleCloseApi(APIView):
    """Close a cycle now: answering ends and the managers see their results."""
    error_codes = (LeadershipErrorCode.CYCLE_CLOSED, PlatformErrorCode.NOT_FOUND)
    permission_classes = [HR_WRITE]

    @extend_schema(request=None, responses=out.CycleDetailSerializer, tags=TAGS)
    def post(self, request, cycle_id: int):
        cycle = selectors.access_cycle_read(actor=request.user, cycle_id=cycle_id)
        services.cycle_close(cycle=cycle)
        cycle = selectors.access_cycle_read(actor=request.user, cycle_id=cycle_id)
        return Response(out.CycleDetailSerializer(_detail(cycle)).data)


class ManagerListApi(APIView):
    """The managers (memberships with a team) HR may put in a cycle."""
    error_codes = (PlatformErrorCode.NOT_FOUND,)
    permission_classes = [HR_WRITE]

    @extend_schema(parameters=[OpenApiParameter("organization", str, description="The organization's slug "
                                                "(may be left out by who reports on one organization only).")],
                   responses=out.ManagerSerializer(many=True), tags=TAGS)
    def get(self, request):
        organization = selectors.access_cycle_organization(
            actor=request.user, slug=request.query_params.get("organization") or "")
        return Response(out.ManagerSerializer(selectors.managers_of(organization=organization), many=True).data)


class InvitationListApi(APIView):
    """Whom you are asked to give feedback on, in open cycles, with the instrument; answered ones stay listed
    (answered: true) but your answers are never shown back, to you or anyone."""
    permission_classes = [IsPerson]

    @extend_schema(responses=out.InvitationListSerializer, tags=TAGS)
    def get(self, request):
        invitations = selectors.invitations_of(actor=request.user)
        body = {"scale": list(SCALE), "invitations": invitations,
                "behaviours": [{"key": b.key, "theme": b.theme, "text": str(b.text)} for b in BEHAVIOURS]}
        return Response(out.InvitationListSerializer(body).data)


class InvitationAnswerApi(APIView):
    """Answer an invitation once, every behaviour on the 1 to 5 scale. The answers are stored without you."""
    error_codes = (LeadershipErrorCode.INVALID_ANSWERS, LeadershipErrorCode.INVITATION_ANSWERED,
                   LeadershipErrorCode.CYCLE_NOT_OPEN, PlatformErrorCode.NOT_FOUND)
    permission_classes = [IsPerson]

    @extend_schema(request=out.AnswerSerializer, responses={204: None}, tags=TAGS)
    def post(self, request, invitation_id: int):
        invitation = selectors.access_invitation_own(actor=request.user, invitation_id=invitation_id)
        data = out.AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.invitation_answer(invitation=invitation, answers=data.validated_data["answers"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyResultsApi(APIView):
    """Your own 360° results as a manager, once each cycle has closed: per source and behaviour the mean and the
    distribution (withheld for a source under the minimum), your self-rating's gap and the change since the
    previous cycle."""
    permission_classes = [IsPerson]

    @extend_schema(responses=out.MyResultSerializer(many=True), tags=TAGS)
    def get(self, request):
        reports = selectors.results_of(actor=request.user)
        return Response(out.MyResultSerializer([out.my_result_data(report) for report in reports], many=True).data)
