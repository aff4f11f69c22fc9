"""The demo group's requests: its ward's seven categories and about three weeks of tickets
(VNeID level-2 help, public-service portal questions, a wave of fraud reports after a scam
call campaign, feedback), each with the moves, replies and notes a real one would have.

Pure planning: `plan_tickets` says who opened what when and what happened to it, in working
hours counted back from `now`; repositories/demo.py turns the plan into rows, computing the
service targets and working minutes with domain/tickets/calendar.py as the SLA clock does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.access import Role
from domain.tickets.calendar import VN, WorkCalendar
from domain.tickets.models import (
    CategoryKind,
    Priority,
    TicketChannel,
    TicketOutcome,
    TicketStatus,
    Visibility,
)

S, C, Out = TicketStatus, TicketChannel, TicketOutcome
DAY = 450  # working minutes in a weekday (07:30-11:30, 13:30-17:00)

# code, name, English name, kind, default team, priority, first response, resolution (minutes)
CATEGORIES = [
    ("dich-vu-cong", "Hỗ trợ dịch vụ công trực tuyến", "Online public service help",
     CategoryKind.public_service_help, Role.group_leader, Priority.normal, 480, 3 * DAY),
    ("thu-tuc", "Thủ tục hành chính", "Administrative procedure",
     CategoryKind.administrative_procedure, Role.ward_officer, Priority.normal, 480, 5 * DAY),
    ("vneid", "Hỗ trợ VNeID và ứng dụng số", "VNeID and digital app help",
     CategoryKind.app_help, Role.volunteer, Priority.normal, 240, 2 * DAY),
    ("lua-dao", "Báo lừa đảo công nghệ cao", "Fraud report", CategoryKind.fraud_report,
     Role.security_officer, Priority.high, 240, 2 * DAY),
    ("gop-y", "Góp ý, phản ánh", "Feedback or complaint", CategoryKind.feedback,
     Role.ward_officer, Priority.low, 480, 5 * DAY),
    ("hoi-dap", "Hỏi đáp", "Question", CategoryKind.question, Role.group_leader,
     Priority.normal, 480, 3 * DAY),
    ("khac", "Khác", "Other", CategoryKind.other, Role.group_leader, Priority.low, 480,
     5 * DAY),
]

# category code: (subject, description, public reply, internal note)
STORIES: dict[str, list[tuple[str, str, str, str]]] = {
    "vneid": [
        ("Không kích hoạt được VNeID mức 2",
         "Bác đã đăng ký định danh mức 2 ở công an phường nhưng ứng dụng vẫn báo mức 1.",
         "Tổ sẽ đến nhà hướng dẫn bác cập nhật lại ứng dụng và đăng nhập lại.",
         "Hồ sơ mức 2 đã duyệt, chỉ cần đăng xuất rồi đăng nhập lại."),
        ("Quên mật khẩu VNeID, không nhận được mã OTP",
         "Số điện thoại đăng ký là số cũ của con trai, nay không dùng nữa.",
         "Bác mang căn cước ra công an phường để đổi số điện thoại nhận OTP nhé.",
         "Cần đổi số điện thoại tại công an phường, không làm online được."),
        ("Nhờ cài VNeID cho mẹ già",
         "Mẹ tôi 78 tuổi, điện thoại mới mua, chưa biết cài ứng dụng.",
         "Chiều thứ Bảy tình nguyện viên sẽ qua cài giúp và hướng dẫn bác.",
         "Hộ có người cao tuổi sống một mình, ưu tiên đến tận nhà."),
        ("Tích hợp giấy phép lái xe vào VNeID",
         "Tôi muốn tích hợp GPLX nhưng ứng dụng báo không tìm thấy thông tin.",
         "GPLX cấp trước năm 2020 cần được đồng bộ; tổ đã gửi hướng dẫn qua Zalo.",
         "Đã hướng dẫn qua nhóm Zalo, chờ người dân thử lại."),
        ("VNeID báo sai ngày sinh",
         "Ngày sinh trên ứng dụng khác với căn cước của tôi.",
         "Bác mang căn cước và giấy khai sinh ra công an phường để điều chỉnh.",
         "Sai dữ liệu dân cư, chuyển công an phường xử lý."),
        ("Không quét được căn cước bằng NFC",
         "Điện thoại báo không đọc được chip khi kích hoạt tài khoản.",
         "Điện thoại của bác không có NFC; tổ sẽ hỗ trợ bằng máy của tình nguyện viên.",
         "Dùng máy của tình nguyện viên để kích hoạt."),
    ],
    "dich-vu-cong": [
        ("Hỏi cách nộp hồ sơ trên Cổng dịch vụ công",
         "Tôi muốn đăng ký tạm trú cho người thuê trọ nhưng không biết chọn thủ tục nào.",
         "Anh chọn thủ tục 'Đăng ký tạm trú' trên Cổng dịch vụ công quốc gia, tổ gửi ảnh "
         "hướng dẫn từng bước.",
         "Đã gửi hướng dẫn kèm ảnh chụp màn hình."),
        ("Không đăng nhập được Cổng dịch vụ công bằng VNeID",
         "Bấm đăng nhập bằng VNeID thì báo lỗi xác thực.",
         "Chị cập nhật ứng dụng VNeID bản mới nhất rồi quét mã lại giúp tổ.",
         "Lỗi do ứng dụng cũ."),
        ("Hồ sơ trực tuyến bị trả lại, không rõ lý do",
         "Hồ sơ xác nhận cư trú nộp tuần trước bị trả về.",
         "Hồ sơ thiếu ảnh chụp mặt sau căn cước; chị bổ sung rồi nộp lại nhé.",
         "Đã kiểm tra với bộ phận một cửa."),
        ("Thanh toán lệ phí trực tuyến bị trừ tiền hai lần",
         "Tài khoản ngân hàng bị trừ hai lần cho cùng một hồ sơ.",
         "Phường đã chuyển phản ánh đến Cổng dịch vụ công để hoàn tiền.",
         "Chuyển bộ phận một cửa, theo dõi hoàn tiền."),
    ],
    "thu-tuc": [
        ("Hỏi thủ tục cấp lại căn cước bị mất",
         "Tôi làm mất căn cước khi đi chợ, cần làm lại gấp để đi khám bệnh.",
         "Bác ra công an phường làm thủ tục cấp lại, mang theo sổ hộ khẩu cũ nếu có.",
         "Hướng dẫn xong."),
        ("Đăng ký khai sinh cho cháu mới sinh",
         "Gia đình muốn làm khai sinh online nhưng chưa rõ giấy tờ cần chuẩn bị.",
         "Cần giấy chứng sinh và căn cước của bố mẹ; có thể nộp trên Cổng dịch vụ công.",
         "Đã gửi danh mục giấy tờ."),
        ("Xin xác nhận cư trú cho con đi học",
         "Trường yêu cầu giấy xác nhận cư trú để nhập học.",
         "Nay trường tra cứu trực tiếp trên VNeID, không cần giấy xác nhận nữa.",
         "Đã liên hệ nhà trường."),
    ],
    "lua-dao": [
        ("Cuộc gọi giả danh công an yêu cầu cài ứng dụng",
         "Người gọi xưng là công an phường, bảo tôi cài ứng dụng 'Dịch vụ công' qua đường "
         "link để cập nhật định danh.",
         "Đây là lừa đảo. Công an không gọi điện yêu cầu cài ứng dụng; bác tuyệt đối không "
         "bấm vào đường link.",
         "Cùng kịch bản với các cuộc gọi trong tuần, số gọi đến đã ghi lại."),
        ("Bị gọi điện đe dọa liên quan đến vụ án",
         "Người gọi nói tôi liên quan đường dây rửa tiền, yêu cầu chuyển tiền để xác minh.",
         "Công an không làm việc qua điện thoại và không yêu cầu chuyển tiền. Bác đã làm "
         "đúng khi báo tổ.",
         "Đã báo Tổ bảo vệ ANTT, đề nghị cảnh báo chung trong nhóm Zalo."),
        ("Tin nhắn mời cài ứng dụng VNeID giả mạo",
         "Nhận tin nhắn kèm đường link tải 'VNeID bản mới', trang web trông rất giống thật.",
         "VNeID chỉ tải từ App Store hoặc CH Play. Bác xóa tin nhắn và chặn số đó.",
         "Tên miền giả mạo đã gửi công an phường."),
        ("Đã cài ứng dụng lạ theo hướng dẫn qua điện thoại",
         "Mẹ tôi đã cài ứng dụng theo lời người gọi tự xưng công an, điện thoại bị điều "
         "khiển từ xa.",
         "Gia đình tắt mạng điện thoại ngay, đổi mật khẩu ngân hàng; tổ bảo vệ sẽ đến hỗ trợ.",
         "Khẩn: có thể đã lộ tài khoản ngân hàng, báo công an phường."),
        ("Bị lừa làm nhiệm vụ online",
         "Con tôi được mời làm cộng tác viên like video, đã nạp 3 triệu đồng.",
         "Đây là hình thức lừa đảo phổ biến; gia đình mang bằng chứng ra công an phường trình "
         "báo.",
         "Chuyển công an phường."),
    ],
    "gop-y": [
        ("Đèn đường trong hẻm bị hỏng",
         "Đèn đầu hẻm 45 Trần Phú tắt cả tuần nay, tối đi lại nguy hiểm.",
         "Phường đã báo đơn vị chiếu sáng, dự kiến thay trong tuần.",
         "Đã báo công ty chiếu sáng."),
        ("Đề nghị họp tổ vào buổi tối",
         "Nhiều hộ buôn bán ban ngày, đề nghị họp tổ sau 19 giờ.",
         "Tổ ghi nhận, cuộc họp tới sẽ tổ chức lúc 19 giờ 30.",
         "Đưa vào cuộc họp chi bộ."),
        ("Phản ánh rác thải đầu hẻm",
         "Rác để đầu hẻm nhiều ngày chưa được thu gom.",
         "Tổ đã liên hệ đội thu gom, sẽ thu vào sáng mai.",
         "Nhắc hộ kinh doanh đầu hẻm."),
    ],
    "hoi-dap": [
        ("Hỏi cách vào nhóm Zalo của tổ",
         "Tôi mới chuyển đến, muốn tham gia nhóm Zalo cộng đồng.",
         "Tổ gửi mã QR nhóm, anh quét bằng Zalo là vào được.",
         "Thêm vào danh sách hộ mới."),
        ("Hỏi danh sách cử tri",
         "Tôi muốn kiểm tra tên mình có trong danh sách cử tri không.",
         "Danh sách cử tri được niêm yết tại nhà văn hóa tổ; bác xem và báo nếu sai.",
         "Đối chiếu với danh sách niêm yết."),
        ("Hỏi chế độ cho người cao tuổi",
         "Bố tôi 80 tuổi, hỏi thủ tục nhận trợ cấp hằng tháng.",
         "Gia đình nộp hồ sơ tại bộ phận một cửa phường; tổ gửi danh mục giấy tờ.",
         "Chuyển cán bộ chính sách."),
    ],
    "khac": [
        ("Nhờ tổ xác nhận đơn", "Tôi cần tổ trưởng ký xác nhận đơn xin việc.",
         "Tổ trưởng có mặt tại nhà văn hóa tối thứ Năm, anh mang đơn qua.", "Hẹn tối thứ Năm."),
    ],
}

# Tickets per category, before the fraud wave.
COUNTS = {"vneid": 30, "dich-vu-cong": 18, "thu-tuc": 12, "lua-dao": 6, "gop-y": 9,
          "hoi-dap": 10, "khac": 4}
FRAUD_WAVE = 16  # reports in the days after the scam calls (giả danh công an)
# Working minutes since opened, then (working minutes later, new status) for each move.
OPEN_LIVES = [
    (700, [(90, S.acknowledged)]),
    (1200, [(60, S.acknowledged), (120, S.in_progress)]),
    (1600, [(45, S.in_progress), (200, S.waiting_on_resident)]),
]


@dataclass
class Move:
    at: datetime
    to: TicketStatus
    outcome: TicketOutcome | None = None


@dataclass
class Note:
    at: datetime
    body: str
    visibility: Visibility


@dataclass
class PlannedTicket:
    category: str
    subject: str
    description: str
    channel: TicketChannel
    opener: Role  # the account that opened it (a resident: their own)
    created_at: datetime
    priority: Priority | None = None
    moves: list[Move] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


_OPENERS = {C.door_to_door: Role.volunteer, C.community_group: Role.group_leader,
            C.in_person: Role.ward_officer, C.phone: Role.ward_officer,
            C.citizen_app: Role.resident}


def _working_moment(rng: random.Random, calendar: WorkCalendar, day: date) -> datetime | None:
    spans = calendar.working(day)
    if not spans:
        return None
    opens, closes = rng.choice(spans)
    moment = opens + (closes - opens) * rng.random()
    return moment.replace(second=0, microsecond=0)


def _working_before(calendar: WorkCalendar, now: datetime, minutes: int) -> datetime:
    """The instant `minutes` of working time before `now`."""
    day, left = now.astimezone(VN).date(), timedelta(minutes=minutes)
    for _ in range(30):
        for opens, closes in reversed(calendar.working(day)):
            end = min(closes, now)
            if end <= opens:
                continue
            if end - left >= opens:
                return (end - left).replace(second=0, microsecond=0)
            left -= end - opens
        day -= timedelta(days=1)
    return now - left  # pragma: no cover  (a calendar with no working time)


def _life(rng: random.Random, calendar: WorkCalendar, ticket: PlannedTicket, now: datetime,
          story: tuple[str, str, str, str], fr_target: int, res_target: int) -> None:
    """What happened to the ticket after it was opened, up to `now`."""
    created, (_, _, reply, note) = ticket.created_at, story
    # Mostly within the target, some late (breached); urgent fraud reports fastest.
    late = rng.random() < 0.2
    answer = calendar.add(created, fr_target * (rng.uniform(1.1, 2.5) if late
                                                else rng.uniform(0.1, 0.9)))
    if answer > now:
        return  # still new
    roll = rng.random()
    first = S.acknowledged if roll < 0.6 else S.in_progress
    ticket.moves.append(Move(answer, first))
    if rng.random() < 0.75:
        ticket.notes.append(Note(answer + timedelta(minutes=2), reply, Visibility.public))
    if rng.random() < 0.55:
        ticket.notes.append(Note(answer + timedelta(minutes=5), note, Visibility.internal))
    done = calendar.add(created, res_target * (rng.uniform(1.05, 1.6) if rng.random() < 0.15
                                               else rng.uniform(0.25, 0.95)))
    if first == S.acknowledged:
        work = calendar.add(answer, rng.randint(30, 240))
        if work < now and work < done:
            ticket.moves.append(Move(work, S.in_progress))
    if rng.random() < 0.3:  # waiting on the resident (papers, a visit at home)
        waits = calendar.add(ticket.moves[-1].at, rng.randint(20, 120))
        if waits < now:
            ticket.moves.append(Move(waits, S.waiting_on_resident))
            back = calendar.add(waits, rng.randint(300, 2700))
            if back > now:
                return
            ticket.moves.append(Move(back, S.in_progress))
            done = max(done, calendar.add(back, rng.randint(30, 300)))
    done = max(done, calendar.add(ticket.moves[-1].at, rng.randint(15, 120)))
    if done > now:
        return
    outcome = rng.choices(list(Out), (45, 30, 5, 8, 12))[0]
    if ticket.category == "lua-dao":
        outcome = rng.choice((Out.answered, Out.referred))
    ticket.moves.append(Move(done, S.resolved, outcome))
    closed = calendar.add(done, rng.randint(900, 2700))
    if closed < now:
        ticket.moves.append(Move(closed, S.closed))


def plan_tickets(now: datetime, calendar: WorkCalendar, seed: int = 13) -> list[PlannedTicket]:
    """About 90 tickets over the 24 days before `now`, the fraud wave 8 to 12 days ago, and
    one in each open status."""
    rng = random.Random(seed)
    targets = {c[0]: (c[6], c[7]) for c in CATEGORIES}
    today = now.astimezone(VN).date()
    planned: list[PlannedTicket] = []

    def add(code: str, day: date, channel: TicketChannel | None = None,
            tags: tuple[str, ...] = ()) -> None:
        moment = _working_moment(rng, calendar, day)
        if moment is None or moment >= now:
            return
        story = rng.choice(STORIES[code])
        channel = channel or rng.choices(list(_OPENERS), (30, 30, 18, 12, 10))[0]
        ticket = PlannedTicket(code, story[0], story[1], channel, _OPENERS[channel], moment,
                               tags=[code, *tags])
        if code == "lua-dao" and "Đã cài" in story[0]:
            ticket.priority = Priority.urgent
        _life(rng, calendar, ticket, now, story, *targets[code])
        planned.append(ticket)

    for code, count in COUNTS.items():
        for _ in range(count):
            add(code, today - timedelta(days=int(25 * rng.random() ** 1.3)))
    for _ in range(FRAUD_WAVE):  # the scam call campaign: reports pour into the group chat
        add("lua-dao", today - timedelta(days=rng.randint(8, 12)),
            rng.choice((C.community_group, C.community_group, C.phone, C.door_to_door)),
            tags=("gia-danh-cong-an",))
    for minutes in (15, 70, 130, 200):  # this morning's (or the last working hours'): new
        story = rng.choice(STORIES["vneid" if minutes % 2 else "dich-vu-cong"])
        channel = rng.choice((C.community_group, C.citizen_app, C.door_to_door))
        planned.append(PlannedTicket(
            "vneid" if minutes % 2 else "dich-vu-cong", story[0], story[1], channel,
            _OPENERS[channel], _working_before(calendar, now, minutes)))
    # One ticket in each open status whatever the day: the random lives above leave the
    # queue without one on some mornings (none waiting on the resident, say).
    for opened_ago, steps in OPEN_LIVES:
        story = rng.choice(STORIES["thu-tuc"])
        created = _working_before(calendar, now, opened_ago)
        ticket = PlannedTicket("thu-tuc", story[0], story[1], C.in_person,
                               _OPENERS[C.in_person], created)
        at = created
        for after, status in steps:  # the steps sum to less than opened_ago: all before now
            at = calendar.add(at, after)
            ticket.moves.append(Move(at, status))
        planned.append(ticket)
    planned.sort(key=lambda t: t.created_at)
    return planned
