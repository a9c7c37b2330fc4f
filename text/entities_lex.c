/* The entity recognizer's lexicon (see text/entities_lex.h for the kinds). Curated by hand
 * from the seed articles, the corpus generator's lists and Vietnamese administrative usage.
 * Order does not matter: at start-up the phrases are tokenized, hashed by first token and the
 * longest match wins. */
#include "text/entities_lex.h"

#include "timtin/entities.h"

#define T(s) {s, TT_EK_TITLE, 0, NULL}
#define H(s) {s, TT_EK_HONOR, 0, NULL}
#define D(s) {s, TT_EK_DESC, 0, NULL}
#define PM(s, c) {s, TT_EK_PLACEMARK, 0, c}
#define OH(s, sub, c) {s, TT_EK_ORGHEAD, sub, c}
#define GV(s) {s, TT_EK_GOV, 0, NULL}
#define DH(s, sub, c) {s, TT_EK_DOCHEAD, sub, c}
#define GH(s) {s, TT_EK_GAZ, TT_ENT_HOSPITAL, NULL}
#define GHA(s, c) {s, TT_EK_GAZ, TT_ENT_HOSPITAL, c}
#define GP(s) {s, TT_EK_GAZ, TT_ENT_PROGRAM, NULL}
#define GPA(s, c) {s, TT_EK_GAZ, TT_ENT_PROGRAM, c}
#define PL(s) {s, TT_EK_PLACE, 0, NULL}
#define SN(s) {s, TT_EK_SURNAME, 0, NULL}
#define ST(s) {s, TT_EK_STOP, 0, NULL}

const tt_ent__phrase tt_ent__phrases[] = {
  /* ---- titles (a person's function; kept as the role) */
  T("bộ trưởng"), T("thứ trưởng"), T("thủ tướng"), T("phó thủ tướng"), T("chủ tịch"),
  T("phó chủ tịch"), T("giám đốc"), T("phó giám đốc"), T("tổng giám đốc"),
  T("phó tổng giám đốc"), T("bí thư"), T("phó bí thư"), T("tổng bí thư"), T("viện trưởng"),
  T("phó viện trưởng"), T("cục trưởng"), T("phó cục trưởng"), T("vụ trưởng"),
  T("phó vụ trưởng"), T("trưởng khoa"), T("phó trưởng khoa"), T("trưởng phòng"),
  T("phó trưởng phòng"), T("trưởng ban"), T("phó trưởng ban"), T("chánh văn phòng"),
  T("phó chánh văn phòng"), T("trưởng trạm"), T("trạm trưởng"), T("hiệu trưởng"),
  T("phó hiệu trưởng"), T("chủ nhiệm"), T("phó chủ nhiệm"), T("trưởng đoàn"),
  T("giám đốc điều hành"), T("chủ tịch nước"), T("phó chủ tịch nước"), T("chủ tịch quốc hội"),
  T("phó chủ tịch quốc hội"),
  {"thường trực", TT_EK_TITLEMOD, 0, NULL},

  /* ---- forms of address and professional words before a name */
  H("ông"), H("bà"), H("đồng chí"), H("bác sĩ"), H("bs"), H("gs"), H("pgs"), H("ts"), H("ths"),
  H("bsckii"), H("bscki"), H("bsck"), H("ckii"), H("cki"), H("ds"), H("dsckii"), H("ks"),
  H("tts"), H("gs.ts"), H("pgs.ts"), H("ts.bs"), H("ths.bs"), H("pgs.ts.bs"), H("gs.ts.bs"),
  H("pgs.ts.bsckii"), H("ts.bsckii"), H("ths.bsckii"), H("bsckii.ts"),

  /* ---- hospital descriptors (canonical case as written) */
  D("Đa khoa"), D("Trung ương"), D("Nhân dân"), D("Quân y"), D("Quân đội"), D("Nhi"),
  D("Nhi đồng"), D("Phụ sản"), D("Sản Nhi"), D("Sản"), D("Mắt"), D("Tâm thần"), D("Ung bướu"),
  D("Phổi"), D("Nội tiết"), D("Da liễu"), D("Y học cổ truyền"), D("Răng Hàm Mặt"),
  D("Lão khoa"), D("Tim"), D("Hữu nghị"), D("Đại học"), D("Trường Đại học"), D("Y Dược"),
  D("Y"), D("Bệnh Nhiệt đới"), D("Nhiệt đới"), D("Phục hồi chức năng"), D("Châm cứu"),
  D("Quốc tế"), D("Khu vực"), D("Chấn thương chỉnh hình"), D("Chỉnh hình"), D("Nội"),
  D("Ngoại"), D("Tai Mũi Họng"), D("Truyền máu Huyết học"), D("Huyết học"),
  D("Thận"), D("Lao"), D("Lao và Bệnh phổi"), D("Thể thao"), D("Giao thông vận tải"),
  D("Bưu điện"), D("Xây dựng"), D("Công an"), D("Quân dân y"), D("Dã chiến"),

  /* ---- place markers */
  PM("tỉnh", "tỉnh"), PM("huyện", "huyện"), PM("thành phố", "thành phố"), PM("tp", "TP."),
  PM("thị xã", "thị xã"), PM("quận", "quận"), PM("xã", "xã"), PM("phường", "phường"),
  PM("thị trấn", "thị trấn"), PM("khu vực", "khu vực"), PM("vùng", "vùng"),
  PM("quân dân y", "quân dân y"), PM("đặc khu", "đặc khu"),

  /* ---- organisation heads */
  OH("bệnh viện", TT_EH_BV, "Bệnh viện"), OH("bv", TT_EH_BV, "Bệnh viện"),
  OH("bvđk", TT_EH_BVDK, "Bệnh viện Đa khoa"), OH("bvtw", TT_EH_BVTW, "Bệnh viện Trung ương"),
  OH("trung tâm y tế", TT_EH_TTYT, "Trung tâm Y tế"), OH("ttyt", TT_EH_TTYT, "Trung tâm Y tế"),
  OH("trung tâm kiểm soát bệnh tật", TT_EH_CDC, "Trung tâm Kiểm soát bệnh tật"),
  OH("cdc", TT_EH_CDC, "Trung tâm Kiểm soát bệnh tật"),
  OH("trạm y tế", TT_EH_TRAM, "Trạm Y tế"), OH("sở y tế", TT_EH_SO, "Sở Y tế"),
  OH("bộ y tế", TT_EH_BO, "Bộ Y tế"), OH("viện", TT_EH_VIEN, "Viện"),
  OH("cục", TT_EH_CUC, "Cục"),

  /* ---- authorities inside a role ("Phó Chủ tịch UBND tỉnh Hưng Yên") */
  GV("ubnd"), GV("ủy ban nhân dân"), GV("hđnd"), GV("hội đồng nhân dân"), GV("tỉnh ủy"),
  GV("thành ủy"), GV("huyện ủy"), GV("đảng ủy"), GV("chính phủ"), GV("quốc hội"),
  GV("ban bí thư"), GV("hội"), GV("vụ"), GV("khoa"), GV("ban"), GV("đảng ủy khối"),

  /* ---- document heads */
  DH("nghị quyết", TT_ED_NUM, "Nghị quyết"), DH("nghị định", TT_ED_NUM, "Nghị định"),
  DH("chỉ thị", TT_ED_NUM, "Chỉ thị"), DH("quyết định", TT_ED_NUM, "Quyết định"),
  DH("thông tư", TT_ED_NUM, "Thông tư"), DH("đề án", TT_ED_NUM, "Đề án"),
  DH("dự án", TT_ED_NUM, "Dự án"), DH("công văn", TT_ED_NUM, "Công văn"),
  DH("kế hoạch", TT_ED_NUM, "Kế hoạch"), DH("chương trình", TT_ED_NUM, "Chương trình"),
  DH("luật", TT_ED_LAW, "Luật"),
  DH("chương trình mục tiêu quốc gia", TT_ED_CTMTQG, "Chương trình mục tiêu quốc gia"),

  /* ---- gazetteer: hospitals and health bodies whose names the patterns cannot delimit */
  GH("Bệnh viện Hữu nghị Việt Đức"), GHA("BV Việt Đức", "Bệnh viện Hữu nghị Việt Đức"),
  GHA("Bệnh viện Việt Đức", "Bệnh viện Hữu nghị Việt Đức"),
  GHA("Bệnh viện 108", "Bệnh viện Trung ương Quân đội 108"),
  GHA("Bệnh viện 103", "Bệnh viện Quân y 103"),
  GHA("BV Xanh Pôn", "Bệnh viện Đa khoa Xanh Pôn"),
  GHA("BV Medlatec", "Bệnh viện Đa khoa Medlatec"),
  GHA("Vinmec Times City", "Bệnh viện Đa khoa Quốc tế Vinmec Times City"),
  GH("Bệnh viện Đa khoa Quốc tế Vinmec Times City"), GH("Bệnh viện Nhi đồng Thành phố"),
  GH("Bệnh viện Phục hồi chức năng – Điều trị bệnh nghề nghiệp"),
  GH("Bệnh viện Việt Nam – Thụy Điển Uông Bí"), GH("Bệnh viện Phong – Da liễu Trung ương Quy Hòa"),
  GH("Bệnh viện Y học cổ truyền Trung ương"), GH("Bệnh viện Bệnh Nhiệt đới Trung ương"),
  GH("Bệnh viện Trường Đại học Y Dược Huế"), GH("Bệnh viện Đại học Y Dược TP.HCM"),
  GH("Bệnh viện 19-8"), GH("Bệnh viện C Thái Nguyên"), GH("Bệnh viện Đa khoa Tâm Anh"), GH("Bệnh viện Hoàn Mỹ Sài Gòn"), GH("Bệnh viện Răng Hàm Mặt Trung ương"),
  GH("Bệnh viện Chỉnh hình và Phục hồi chức năng"),
  GH("Cục Quản lý Khám, chữa bệnh"), GH("Cục Phòng bệnh"), GH("Cục Quản lý Dược"),
  GH("Cục An toàn thực phẩm"), GH("Cục Khoa học công nghệ và Đào tạo"),
  GH("Cục Bà mẹ và Trẻ em"), GH("Cục Quản lý Y, Dược cổ truyền"), GH("Cục Dân số"),
  GH("Cục Y tế dự phòng"), GH("Cục Quản lý môi trường y tế"), GH("Cục Hạ tầng và Thiết bị y tế"),
  GHA("Cục Quản lý Khám chữa bệnh", "Cục Quản lý Khám, chữa bệnh"),
  GHA("Viện Sốt rét và Ký sinh trùng Trung ương", "Viện Sốt rét – Ký sinh trùng – Côn trùng Trung ương"),
  GHA("Cục Hạ tầng thiết bị", "Cục Hạ tầng và Thiết bị y tế"), GH("Cục Bảo trợ xã hội"),
  GH("Vụ Kế hoạch - Tài chính"), GHA("Vụ Kế hoạch Tài chính", "Vụ Kế hoạch - Tài chính"), GH("Vụ Bảo hiểm y tế"), GH("Vụ Tổ chức cán bộ"), GH("Vụ Pháp chế"),
  GH("Vụ Hợp tác quốc tế"), GH("Viện Vệ sinh dịch tễ Trung ương"), GH("Viện Pasteur TP.HCM"),
  GH("Viện Sốt rét – Ký sinh trùng – Côn trùng Trung ương"), GH("Viện Dinh dưỡng Quốc gia"),
  GH("Viện Y tế công cộng TP.HCM"), GH("Viện Đào tạo và Nghiên cứu Y dược Bạch Mai"),
  GH("Viện Kiểm nghiệm thuốc Trung ương"), GH("Viện Huyết học – Truyền máu Trung ương"),
  GH("Trung tâm Truyền thông Giáo dục - Sức khỏe TW"), GH("Bảo hiểm xã hội Việt Nam"),
  GH("Hội đồng Y khoa Quốc gia"), GH("Tổ chức Y tế Thế giới"),

  /* ---- gazetteer: programs and documents without a number, and short forms */
  GP("Chương trình mục tiêu quốc gia chăm sóc sức khỏe, dân số và phát triển giai đoạn 2026 – 2035"),
  GP("Chương trình mục tiêu quốc gia xây dựng nông thôn mới"),
  GP("Chương trình mục tiêu quốc gia giảm nghèo bền vững"),
  GP("Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi"),
  GP("Chương trình Tiêm chủng mở rộng"), GPA("Tiêm chủng mở rộng", "Chương trình Tiêm chủng mở rộng"),
  GP("Đề án bệnh viện vệ tinh"), GP("Dự án phòng, chống đuối nước trẻ em"),
  GP("Chương trình chỉ đạo tuyến"), GP("Đề án khám, chữa bệnh từ xa"),
  GP("Chương trình Sức khỏe Việt Nam"), GP("Bộ tiêu chí quốc gia về y tế xã"),
  GP("Chiến lược quốc gia phòng, chống bệnh không lây nhiễm giai đoạn 2022 – 2025"),
  GP("Chiến lược Dân số Việt Nam đến năm 2030"), GP("Chương trình phòng, chống lao quốc gia"),
  GP("Chương trình phòng, chống HIV/AIDS"), GP("Chiến dịch tiêm vắc xin phòng COVID-19"),
  GP("Chương trình sữa học đường"),
  GP("Đề án xây dựng và phát triển mạng lưới y tế cơ sở trong tình hình mới"),
  GP("Chương trình khám sức khỏe định kỳ"),
  GP("Kế hoạch hành động quốc gia phòng, chống sốt xuất huyết"),
  GP("Chương trình phát triển y học cổ truyền"), GP("Chương trình chăm sóc sức khỏe người cao tuổi"),
  GP("Đề án Sổ sức khỏe điện tử"), GP("Chương trình phòng, chống suy dinh dưỡng trẻ em"),
  GP("Đề án hỗ trợ người bệnh ung thư"), GP("Chương trình an toàn người bệnh"),
  GP("Chương trình chuyển đổi số y tế"), GP("Đề án phát triển nguồn nhân lực y tế"),
  GP("Luật Khám bệnh, chữa bệnh"), GP("Luật Phòng bệnh"), GP("Luật Bảo hiểm y tế"),
  GP("Luật Dân số"), GP("Luật An toàn thực phẩm"), GP("Luật Dược"),
  GP("Luật Phòng, chống tác hại của thuốc lá"), GP("Luật Phòng, chống tác hại của rượu, bia"),
  GP("Luật Bảo hiểm xã hội"), GP("Luật Phòng, chống bệnh truyền nhiễm"),
  GPA("Nghị quyết 72", "Nghị quyết 72-NQ/TW"), GPA("Nghị quyết 66", "Nghị quyết 66-NQ/TW"),
  GPA("Nghị quyết 20", "Nghị quyết 20-NQ/TW"), GPA("Nghị quyết 21", "Nghị quyết 21-NQ/TW"),
  GPA("Nghị quyết 68", "Nghị quyết 68/2013/QH13"), GPA("Chỉ thị 25", "Chỉ thị 25-CT/TW"),
  GPA("Nghị định 146", "Nghị định 146/2018/NĐ-CP"), GPA("Nghị định 75", "Nghị định 75/2023/NĐ-CP"),
  GPA("Nghị định 96", "Nghị định 96/2023/NĐ-CP"), GPA("Nghị định 15", "Nghị định 15/2018/NĐ-CP"),
  GPA("Nghị định 98", "Nghị định 98/2021/NĐ-CP"), GPA("Thông tư 22", "Thông tư 22/2023/TT-BYT"),
  GPA("Thông tư 13", "Thông tư 13/2023/TT-BYT"), GPA("Thông tư 32", "Thông tư 32/2023/TT-BYT"),
  GPA("Thông tư 43", "Thông tư 43/2013/TT-BYT"), GPA("Thông tư 35", "Thông tư 35/2016/TT-BYT"),
  GPA("Quyết định 1816", "Quyết định 1816/QĐ-BYT"), GPA("Quyết định 2348", "Quyết định 2348/QĐ-TTg"),
  GPA("Quyết định 4210", "Quyết định 4210/QĐ-BYT"), GPA("Quyết định 5316", "Quyết định 5316/QĐ-BYT"),
  GPA("Quyết định 1624", "Quyết định 1624/QĐ-TTg"),

  /* ---- places: provinces (before the 2025 merger), big cities, districts of the seeds */
  PL("Hà Nội"), PL("TP.HCM"), PL("Hồ Chí Minh"), PL("Hưng Yên"), PL("Bắc Kạn"), PL("Lai Châu"),
  PL("Bắc Ninh"), PL("Thái Nguyên"), PL("Phú Thọ"), PL("Đồng Tháp"), PL("Bình Dương"),
  PL("Đồng Nai"), PL("Tây Ninh"), PL("Bình Phước"), PL("Bà Rịa – Vũng Tàu"), PL("Bà Rịa"),
  PL("Vũng Tàu"), PL("Nghệ An"), PL("Quảng Ninh"), PL("Hải Phòng"), PL("Đà Nẵng"), PL("Cần Thơ"),
  PL("Thanh Hóa"), PL("Khánh Hòa"), PL("Hòa Bình"), PL("Thừa Thiên Huế"), PL("Huế"),
  PL("An Giang"), PL("Bắc Giang"), PL("Bạc Liêu"), PL("Bến Tre"), PL("Bình Định"),
  PL("Bình Thuận"), PL("Cà Mau"), PL("Cao Bằng"), PL("Đắk Lắk"), PL("Đắk Nông"),
  PL("Điện Biên"), PL("Gia Lai"), PL("Hà Giang"), PL("Hà Nam"), PL("Hà Tĩnh"), PL("Hải Dương"),
  PL("Hậu Giang"), PL("Kiên Giang"), PL("Kon Tum"), PL("Lâm Đồng"), PL("Lạng Sơn"),
  PL("Lào Cai"), PL("Long An"), PL("Nam Định"), PL("Ninh Bình"), PL("Ninh Thuận"), PL("Phú Yên"),
  PL("Quảng Bình"), PL("Quảng Nam"), PL("Quảng Ngãi"), PL("Quảng Trị"), PL("Sóc Trăng"),
  PL("Sơn La"), PL("Thái Bình"), PL("Tiền Giang"), PL("Trà Vinh"), PL("Tuyên Quang"),
  PL("Vĩnh Long"), PL("Vĩnh Phúc"), PL("Yên Bái"), PL("Văn Giang"), PL("Cửa Nam"),
  PL("Vân Đình"), PL("Côn Đảo"), PL("Uông Bí"), PL("Mai Châu"), PL("Diễn Châu"),
  PL("Châu Thành"), PL("Bắc Hà"), PL("Lâm Hà"), PL("Đông Nam bộ"), PL("Sài Gòn"), PL("Việt Nam"),

  /* ---- family names */
  SN("Nguyễn"), SN("Trần"), SN("Lê"), SN("Phạm"), SN("Hoàng"), SN("Huỳnh"), SN("Phan"), SN("Vũ"),
  SN("Võ"), SN("Đặng"), SN("Bùi"), SN("Đỗ"), SN("Hồ"), SN("Ngô"), SN("Dương"), SN("Lý"),
  SN("Đào"), SN("Đoàn"), SN("Vương"), SN("Trịnh"), SN("Trương"), SN("Đinh"), SN("Lâm"),
  SN("Phùng"), SN("Mai"), SN("Tô"), SN("Tạ"), SN("Hà"), SN("Lưu"), SN("Cao"), SN("Chu"),
  SN("Thái"), SN("Tăng"), SN("Lương"), SN("Quách"), SN("Mạc"), SN("Hứa"), SN("Kiều"),
  SN("Lạc"), SN("Khúc"), SN("Triệu"), SN("Tống"), SN("Tạc"), SN("Nông"), SN("Lò"), SN("Hầu"),
  SN("Châu"), SN("Thân"), SN("Âu"), SN("La"), SN("Doãn"), SN("Diệp"), SN("Đàm"), SN("Lục"),
  SN("Phí"), SN("Tôn"), SN("Từ"), SN("Khổng"), SN("Kim"), SN("Bạch"), SN("Cù"), SN("Lã"),
  SN("Lại"), SN("Nghiêm"), SN("Ninh"), SN("Thạch"), SN("Trình"), SN("Giáp"), SN("Hàn"),
  SN("Mẫn"), SN("Nhữ"), SN("Quản"), SN("Vi"), SN("Sầm"), SN("Đồng"), SN("Lường"),

  /* ---- function words that end a free tail (Luật X ...) */
  ST("của"), ST("và"), ST("tại"), ST("đã"), ST("được"), ST("trong"), ST("cho"), ST("với"),
  ST("về"), ST("là"), ST("có"), ST("này"), ST("đó"), ST("năm"), ST("số"), ST("theo"),
  ST("nhằm"), ST("để"), ST("khi"), ST("sẽ"), ST("đang"), ST("các"), ST("những"), ST("trên"),
  ST("khẳng"), ST("đề"), ST("tổ"), ST("phối"), ST("triển"), ST("thực"), ST("tiếp"), ST("làm"),
  ST("phát"), ST("nhận"), ST("kiểm"), ST("hướng"), ST("tham"), ST("ký"), ST("báo"), ST("thông"),
  ST("thì"), ST("mà"), ST("do"), ST("vừa"), ST("cũng"), ST("đến"), ST("từ"),
};
const size_t tt_ent__phrases_n = sizeof tt_ent__phrases / sizeof tt_ent__phrases[0];
