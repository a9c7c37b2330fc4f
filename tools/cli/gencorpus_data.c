/* Hand-curated lists of the corpus generator; see gencorpus_data.h for what each list is and
 * why order matters. Names of real institutions, programs and of the officials that the seed
 * articles cite are kept as the seeds write them; every other person is generated from the
 * name-part lists. */
#include "tools/cli/gencorpus_data.h"

#define TT_GC_N(name) const size_t name##_n = sizeof name / sizeof name[0]

/* Vietnamese health news sites: the first ones are cited most. */
const tt_gc_source tt_gc__sources[] = {
  {"Báo Sức khỏe và Đời sống", "suckhoedoisong.vn", "SKĐS"},
  {"Cổng thông tin Bộ Y tế", "moh.gov.vn", NULL},
  {"VnExpress", "vnexpress.net", NULL},
  {"Tuổi Trẻ", "tuoitre.vn", "TTO"},
  {"Dân trí", "dantri.com.vn", "(Dân trí)"},
  {"Thanh Niên", "thanhnien.vn", NULL},
  {"VietnamPlus", "vietnamplus.vn", "(TTXVN/Vietnam+)"},
  {"Người Lao Động", "nld.com.vn", "(NLĐO)"},
  {"Báo Tin tức", "baotintuc.vn", "(TTXVN)"},
  {"Tiền Phong", "tienphong.vn", "TPO"},
  {"Lao Động", "laodong.vn", NULL},
  {"Báo Chính phủ", "baochinhphu.vn", "(Chinhphu.vn)"},
  {"Sức khỏe Việt", "suckhoeviet.org.vn", NULL},
  {"VOV", "vov.vn", "VOV.VN"},
  {"Nhân Dân", "nhandan.vn", NULL},
  {"Báo Bắc Kạn", "baobackan.vn", "BBK"},
};
TT_GC_N(tt_gc__sources);

/* The 63 provinces and centrally-run cities (before the 2025 merger), those of the seeds first. */
const tt_gc_place tt_gc__provinces[] = {
  {"Hà Nội", 1}, {"TP.HCM", 1}, {"Hưng Yên", 0}, {"Bắc Kạn", 0}, {"Lai Châu", 0},
  {"Bắc Ninh", 0}, {"Thái Nguyên", 0}, {"Phú Thọ", 0}, {"Đồng Tháp", 0}, {"Bình Dương", 0},
  {"Đồng Nai", 0}, {"Tây Ninh", 0}, {"Bình Phước", 0}, {"Bà Rịa – Vũng Tàu", 0},
  {"Nghệ An", 0}, {"Quảng Ninh", 0}, {"Hải Phòng", 1}, {"Đà Nẵng", 1}, {"Cần Thơ", 1},
  {"Thanh Hóa", 0}, {"Khánh Hòa", 0}, {"Hòa Bình", 0}, {"Thừa Thiên Huế", 0}, {"An Giang", 0},
  {"Bắc Giang", 0}, {"Bạc Liêu", 0}, {"Bến Tre", 0}, {"Bình Định", 0}, {"Bình Thuận", 0},
  {"Cà Mau", 0}, {"Cao Bằng", 0}, {"Đắk Lắk", 0}, {"Đắk Nông", 0}, {"Điện Biên", 0},
  {"Gia Lai", 0}, {"Hà Giang", 0}, {"Hà Nam", 0}, {"Hà Tĩnh", 0}, {"Hải Dương", 0},
  {"Hậu Giang", 0}, {"Kiên Giang", 0}, {"Kon Tum", 0}, {"Lâm Đồng", 0}, {"Lạng Sơn", 0},
  {"Lào Cai", 0}, {"Long An", 0}, {"Nam Định", 0}, {"Ninh Bình", 0}, {"Ninh Thuận", 0},
  {"Phú Yên", 0}, {"Quảng Bình", 0}, {"Quảng Nam", 0}, {"Quảng Ngãi", 0}, {"Quảng Trị", 0},
  {"Sóc Trăng", 0}, {"Sơn La", 0}, {"Thái Bình", 0}, {"Tiền Giang", 0}, {"Trà Vinh", 0},
  {"Tuyên Quang", 0}, {"Vĩnh Long", 0}, {"Vĩnh Phúc", 0}, {"Yên Bái", 0},
};
TT_GC_N(tt_gc__provinces);

const char *const tt_gc__districts[] = {
  "Văn Giang", "Sóc Sơn", "Ba Vì", "Đông Anh", "Gia Lâm", "Mê Linh", "Thanh Trì", "Củ Chi",
  "Cần Giờ", "Hóc Môn", "Bình Chánh", "Nhà Bè", "Côn Đảo", "Lạc Sơn", "Mai Châu", "Mường Tè",
  "Sìn Hồ", "Phong Thổ", "Tam Đường", "Than Uyên", "Bắc Hà", "Mù Cang Chải", "Đồng Văn",
  "Mèo Vạc", "Yên Minh", "Quản Bạ", "Chợ Mới", "Ba Bể", "Ngân Sơn", "Pác Nặm", "Na Rì",
  "Kim Bôi", "Tân Lạc", "Hải Hậu", "Giao Thủy", "Thái Thụy", "Kiến Xương", "Vũ Thư",
  "Tiên Lãng", "Thủy Nguyên", "Quỳnh Lưu", "Diễn Châu", "Con Cuông", "Kỳ Anh", "Hương Khê",
  "Đức Thọ", "Tuy Phước", "Hoài Nhơn", "Krông Pắc", "Ea Súp", "Đức Trọng", "Lâm Hà",
  "Châu Thành", "Cái Nước", "Năm Căn", "Phú Quốc", "Tuần Giáo", "Mường Nhé", "Bảo Lạc",
  "Hòa Vang", "Hòa An", "Thọ Xuân", "Quan Hóa", "Như Thanh",
};
TT_GC_N(tt_gc__districts);

const char *const tt_gc__wards[] = {
  "phường Cửa Nam", "xã Vân Đình", "phường Kinh Bắc", "phường Võ Cường", "xã Chi Lăng",
  "phường Bồng Lai", "phường Hoàn Kiếm", "phường Ba Đình", "xã Sóc Sơn", "phường Bến Thành",
  "phường Sài Gòn", "xã Bình Chánh", "phường Hòa Khánh", "xã Tam Đường", "phường Đức Xuân",
  "xã Đồng Văn", "phường Thủy Châu", "xã Hòa Bình", "phường Tân Định", "xã Nậm Nhùn",
};
TT_GC_N(tt_gc__wards);

/* Family names with their approximate share among Vietnamese (per mille). */
const tt_gc_weighted tt_gc__family[] = {
  {"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95}, {"Phạm", 70}, {"Hoàng", 50}, {"Huỳnh", 30},
  {"Phan", 45}, {"Vũ", 39}, {"Võ", 30}, {"Đặng", 21}, {"Bùi", 20}, {"Đỗ", 14}, {"Hồ", 13},
  {"Ngô", 13}, {"Dương", 10}, {"Lý", 5}, {"Đào", 6}, {"Đinh", 6}, {"Trịnh", 5}, {"Mai", 4},
  {"Lương", 4}, {"Tạ", 3}, {"Cao", 3}, {"Lâm", 3}, {"Hà", 3}, {"Tô", 2}, {"Tống", 2},
  {"Quách", 1}, {"Tạc", 1}, {"Kiều", 1}, {"Khúc", 1}, {"Triệu", 1}, {"Chu", 2}, {"Thái", 1},
  {"La", 1}, {"Vương", 1},
};
TT_GC_N(tt_gc__family);

const char *const tt_gc__middle_m[] = {
  "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công", "Duy", "Tuấn", "Quang", "Mạnh",
  "Đình", "Trí", "Việt", "Hải", "Ngọc", "Hoàng", "Trọng", "Anh", "Thế", "Bá", "Tiến", "Trung",
  "Hồng", "Kim", "Tri", "Gia", "Phúc", "Thái",
};
TT_GC_N(tt_gc__middle_m);

const char *const tt_gc__middle_f[] = {
  "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim", "Thúy", "Mai", "Lan",
  "Bích", "Phương", "Diệu", "Hoài", "Thùy", "Khánh", "Liên", "Hải",
};
TT_GC_N(tt_gc__middle_f);

const char *const tt_gc__given_m[] = {
  "Hùng", "Hưng", "Thuấn", "Tuyên", "Hoàng", "Nam", "Tùng", "Long", "Hải", "Thức", "Hà",
  "Khuyến", "Nhân", "Lương", "Dũng", "Cường", "Quang", "Sơn", "Thắng", "Tuấn", "Trung",
  "Hiếu", "Minh", "Phong", "Bình", "Toàn", "Hòa", "Thủy", "Khoa", "Lâm", "Vinh", "Đạt",
  "Hiệp", "Thành", "Tài", "Phúc", "Lực", "Quý", "Tâm", "Kiên", "Huy", "Khải", "Thịnh", "Thọ",
  "Tú", "Việt", "Đông", "Duy", "Tiến", "Hậu", "Nghĩa", "Thụy", "Khoa", "Định",
};
TT_GC_N(tt_gc__given_m);

const char *const tt_gc__given_f[] = {
  "Lan", "Hương", "Diệp", "Trâm", "Hà", "Mai", "Linh", "Thủy", "Thúy", "Hòa", "Hạnh", "Nga",
  "Ngọc", "Trang", "Huyền", "Loan", "Yến", "Phượng", "Hằng", "Quyên", "Oanh", "Dung", "Thảo",
  "Vân", "Nhung", "Hiền", "Liên", "Châu", "Anh", "Thư", "Xuân", "Khuê", "Lệ", "My", "Ánh",
  "Giang", "Thụy",
};
TT_GC_N(tt_gc__given_f);

const tt_gc_weighted tt_gc__prefixes[] = {
  {"PGS.TS.", 30}, {"GS.TS.", 12}, {"TS.", 18}, {"TS.BS.", 14}, {"ThS.BS.", 14}, {"BSCKII.", 10},
  {"PGS.TS.BSCKII.", 3}, {"ThS.", 6}, {"bác sĩ", 12}, {"BS.", 8},
};
TT_GC_N(tt_gc__prefixes);

/* Officials named in the seeds, with their roles there. */
const tt_gc_seed_official tt_gc__seed_officials[] = {
  {"Trần Văn Thuấn", "GS.TS.", "Thứ trưởng Bộ Y tế", "Thứ trưởng", 0},
  {"Đào Hồng Lan", NULL, "Bộ trưởng Bộ Y tế", "Bộ trưởng", 1},
  {"Nguyễn Thị Liên Hương", "PGS.TS.", "Thứ trưởng Bộ Y tế", "Thứ trưởng", 1},
  {"Đỗ Xuân Tuyên", NULL, "Thứ trưởng Bộ Y tế", "Thứ trưởng", 0},
  {"Nguyễn Tri Thức", "PGS.TS.BSCKII.", "Thứ trưởng Bộ Y tế", "Thứ trưởng", 0},
  {"Vũ Mạnh Hà", NULL, "Thứ trưởng Thường trực Bộ Y tế", "Thứ trưởng", 0},
  {"Nguyễn Công Hoàng", "PGS.TS.", "Giám đốc Bệnh viện Trung ương Thái Nguyên", "Giám đốc", 0},
  {"Phạm Duy Hưng", NULL, "Phó Chủ tịch UBND tỉnh Bắc Kạn", "Phó Chủ tịch", 0},
  {"Nguyễn Duy Hưng", NULL, "Phó Chủ tịch UBND tỉnh Hưng Yên", "Phó Chủ tịch", 0},
  {"Tạc Văn Nam", NULL, "Giám đốc Sở Y tế Bắc Kạn", "Giám đốc", 0},
  {"Lê Văn Lương", NULL, "Chủ tịch UBND tỉnh Lai Châu", "Chủ tịch", 0},
  {"Tống Thanh Hải", NULL, "Phó Chủ tịch Thường trực UBND tỉnh Lai Châu", "Phó Chủ tịch", 0},
  {"Nguyễn Tuấn Tùng", "PGS.TS.", "Phó Giám đốc Bệnh viện Bạch Mai", "Phó Giám đốc", 0},
  {"Vũ Văn Nhân", "ThS.BS.", "Phó Viện trưởng Viện Đào tạo và Nghiên cứu Y dược Bạch Mai",
   "Phó Viện trưởng", 0},
  {"Nguyễn Khuyến", "TS.BS.", "Giám đốc Bệnh viện Đa khoa Vân Đình", "Giám đốc", 0},
  {"Nguyễn Đình Hưng", "TS.BS.", "Phó Giám đốc Sở Y tế Hà Nội", "Phó Giám đốc", 0},
  {"Phạm Hồng Diệp", NULL, "Giám đốc Trạm Y tế phường Cửa Nam", "Giám đốc", 1},
  {"Lê Thành Long", NULL, "Phó Thủ tướng", "Phó Thủ tướng", 0},
  {"Trịnh Ngọc Trâm", NULL, "Phó Chủ tịch UBND phường Cửa Nam", "Phó Chủ tịch", 1},
};
TT_GC_N(tt_gc__seed_officials);

const tt_gc_role tt_gc__roles[] = {
  {"Giám đốc %s", "Giám đốc", 0, 1, 30},
  {"Phó Giám đốc %s", "Phó Giám đốc", 0, 1, 22},
  {"Trưởng khoa %s, %s", "Trưởng khoa", 3, 1, 24},
  {"Phó trưởng khoa %s, %s", "Phó trưởng khoa", 3, 1, 6},
  {"Giám đốc Sở Y tế %s", "Giám đốc", 4, 1, 14},
  {"Phó Giám đốc Sở Y tế %s", "Phó Giám đốc", 4, 1, 8},
  {"Chủ tịch UBND %s", "Chủ tịch", 1, 0, 8},
  {"Phó Chủ tịch UBND %s", "Phó Chủ tịch", 1, 0, 14},
  {"Giám đốc Trung tâm Kiểm soát bệnh tật %s", "Giám đốc", 1, 1, 8},
  {"Cục trưởng %s", "Cục trưởng", 2, 1, 6},
  {"Phó Cục trưởng %s", "Phó Cục trưởng", 2, 1, 6},
};
TT_GC_N(tt_gc__roles);

const char *const tt_gc__departments[] = {
  "Hồi sức tích cực", "Cấp cứu", "Nhi", "Sản", "Ngoại tổng hợp", "Nội tiết", "Tim mạch",
  "Thần kinh", "Ung bướu", "Truyền nhiễm", "Chẩn đoán hình ảnh", "Dinh dưỡng",
  "Y học cổ truyền", "Phẫu thuật thần kinh", "Hô hấp", "Thận nhân tạo", "Hồi sức tích cực – Chống độc",
  "Răng Hàm Mặt", "Tai Mũi Họng", "Chấn thương chỉnh hình", "Phục hồi chức năng", "Sơ sinh",
};
TT_GC_N(tt_gc__departments);

/* Agencies of Bộ Y tế (Cục, Vụ) and national institutes. */
const char *const tt_gc__agencies[] = {
  "Cục Quản lý Khám, chữa bệnh", "Cục Phòng bệnh", "Cục Quản lý Dược", "Cục An toàn thực phẩm",
  "Cục Khoa học công nghệ và Đào tạo", "Cục Bà mẹ và Trẻ em", "Cục Quản lý Y, Dược cổ truyền",
  "Cục Dân số", "Cục Y tế dự phòng", "Cục Quản lý môi trường y tế", "Cục Hạ tầng và Thiết bị y tế",
  "Vụ Kế hoạch - Tài chính", "Vụ Bảo hiểm y tế", "Vụ Tổ chức cán bộ", "Vụ Pháp chế",
  "Vụ Hợp tác quốc tế", "Viện Vệ sinh dịch tễ Trung ương", "Viện Pasteur TP.HCM",
  "Viện Sốt rét – Ký sinh trùng – Côn trùng Trung ương", "Viện Dinh dưỡng Quốc gia",
  "Viện Y tế công cộng TP.HCM", "Trung tâm Truyền thông Giáo dục - Sức khỏe TW",
  "Bảo hiểm xã hội Việt Nam", "Hội đồng Y khoa Quốc gia",
};
TT_GC_N(tt_gc__agencies);

/* Named hospitals, most cited first. */
const tt_gc_org tt_gc__hospitals[] = {
  {"Bệnh viện Bạch Mai", "BV Bạch Mai"},
  {"Bệnh viện Chợ Rẫy", "BV Chợ Rẫy"},
  {"Bệnh viện Hữu nghị Việt Đức", "BV Việt Đức"},
  {"Bệnh viện K", NULL},
  {"Bệnh viện Nhi Trung ương", "BV Nhi Trung ương"},
  {"Bệnh viện Trung ương Thái Nguyên", "BVTW Thái Nguyên"},
  {"Bệnh viện Phụ sản Trung ương", NULL},
  {"Bệnh viện Trung ương Huế", "BVTW Huế"},
  {"Bệnh viện E", NULL},
  {"Bệnh viện Thống Nhất", "BV Thống Nhất"},
  {"Bệnh viện Nhân dân 115", "BV Nhân dân 115"},
  {"Bệnh viện Trung ương Quân đội 108", "Bệnh viện 108"},
  {"Bệnh viện Nhi Đồng 1", "BV Nhi Đồng 1"},
  {"Bệnh viện Nhi Đồng 2", NULL},
  {"Bệnh viện Từ Dũ", "BV Từ Dũ"},
  {"Bệnh viện Hùng Vương", NULL},
  {"Bệnh viện Ung bướu TP.HCM", NULL},
  {"Bệnh viện Phạm Ngọc Thạch", NULL},
  {"Bệnh viện Bình Dân", NULL},
  {"Bệnh viện Mắt TP.HCM", NULL},
  {"Bệnh viện Tâm thần TP.HCM", NULL},
  {"Bệnh viện Quân y 175", "BV Quân y 175"},
  {"Bệnh viện Phổi Trung ương", NULL},
  {"Bệnh viện Nội tiết Trung ương", NULL},
  {"Bệnh viện Da liễu Trung ương", NULL},
  {"Bệnh viện Mắt Trung ương", NULL},
  {"Bệnh viện Răng Hàm Mặt Trung ương", NULL},
  {"Bệnh viện Lão khoa Trung ương", NULL},
  {"Bệnh viện Bệnh Nhiệt đới Trung ương", "BV Bệnh Nhiệt đới Trung ương"},
  {"Bệnh viện Đại học Y Hà Nội", "BV Đại học Y Hà Nội"},
  {"Bệnh viện Đa khoa Xanh Pôn", "BV Xanh Pôn"},
  {"Bệnh viện Thanh Nhàn", NULL},
  {"Bệnh viện Đa khoa Đống Đa", NULL},
  {"Bệnh viện Đa khoa Vân Đình", NULL},
  {"Bệnh viện Sản Nhi Nghệ An", NULL},
  {"Bệnh viện Trường Đại học Y Dược Huế", NULL},
  {"Bệnh viện Đa khoa Medlatec", "BV Medlatec"},
  {"Bệnh viện Đa khoa Quốc tế Vinmec Times City", "Vinmec Times City"},
  {"Bệnh viện Đa khoa Tâm Anh", "BVĐK Tâm Anh"},
  {"Bệnh viện Đa khoa Hồng Ngọc", NULL},
  {"Bệnh viện Đại học Y Dược TP.HCM", "BV Đại học Y Dược TP.HCM"},
  {"Bệnh viện Nhân dân Gia Định", NULL},
  {"Bệnh viện Nguyễn Tri Phương", NULL},
  {"Bệnh viện Nhi đồng Thành phố", NULL},
  {"Bệnh viện Phục hồi chức năng – Điều trị bệnh nghề nghiệp", NULL},
  {"Bệnh viện Ung bướu Hà Nội", NULL},
  {"Bệnh viện Tim Hà Nội", "BV Tim Hà Nội"},
  {"Bệnh viện Phụ sản Hà Nội", NULL},
  {"Bệnh viện C Thái Nguyên", NULL},
  {"Bệnh viện Việt Nam – Thụy Điển Uông Bí", NULL},
  {"Bệnh viện Đa khoa Trung ương Cần Thơ", NULL},
  {"Bệnh viện Đa khoa Trung ương Quảng Nam", NULL},
  {"Bệnh viện Đa khoa Đức Giang", NULL},
  {"Bệnh viện 19-8", NULL},
  {"Bệnh viện Y học cổ truyền Trung ương", NULL},
  {"Bệnh viện Châm cứu Trung ương", NULL},
  {"Bệnh viện Tâm thần Trung ương 1", NULL},
  {"Bệnh viện Phong – Da liễu Trung ương Quy Hòa", NULL},
  {"Bệnh viện Hữu nghị Đa khoa Nghệ An", NULL},
  {"Bệnh viện Đa khoa Xuyên Á", NULL},
  {"Bệnh viện Hoàn Mỹ Sài Gòn", NULL},
  {"Bệnh viện FV", NULL},
  {"Bệnh viện Mắt Hà Nội", NULL},
  {"Bệnh viện Quân y 103", "Bệnh viện 103"},
  {"Bệnh viện Nhi Thanh Hóa", NULL},
  {"Bệnh viện Sản Nhi Quảng Ninh", NULL},
  {"Bệnh viện Hữu nghị", NULL},
  {"Bệnh viện Nhiệt đới TP.HCM", NULL},
};
TT_GC_N(tt_gc__hospitals);

/* Programs, plans and legal documents, the seeds' first. */
const tt_gc_program tt_gc__programs[] = {
  {"Đề án 1816", NULL},
  {"Nghị quyết số 72-NQ/TW", "Nghị quyết 72"},
  {"Chương trình mục tiêu quốc gia chăm sóc sức khỏe, dân số và phát triển giai đoạn 2026 – 2035",
   "Chương trình mục tiêu quốc gia"},
  {"Nghị quyết số 66-NQ/TW", "Nghị quyết 66"},
  {"Chỉ thị số 25-CT/TW", "Chỉ thị 25"},
  {"Nghị định 46", NULL},
  {"Luật Khám bệnh, chữa bệnh", NULL},
  {"Chương trình Tiêm chủng mở rộng", "Tiêm chủng mở rộng"},
  {"Luật Phòng bệnh", NULL},
  {"Đề án bệnh viện vệ tinh", NULL},
  {"Luật Bảo hiểm y tế", NULL},
  {"Nghị quyết số 20-NQ/TW", "Nghị quyết 20"},
  {"Dự án phòng, chống đuối nước trẻ em", NULL},
  {"Luật Dân số", NULL},
  {"Chương trình chỉ đạo tuyến", NULL},
  {"Đề án khám, chữa bệnh từ xa", NULL},
  {"Nghị quyết 66.13", NULL},
  {"Chương trình Sức khỏe Việt Nam", NULL},
  {"Bộ tiêu chí quốc gia về y tế xã", NULL},
  {"Đề án 06", NULL},
  {"Chương trình mục tiêu quốc gia xây dựng nông thôn mới", NULL},
  {"Chương trình mục tiêu quốc gia giảm nghèo bền vững", NULL},
  {"Luật An toàn thực phẩm", NULL},
  {"Luật Dược", NULL},
  {"Luật Phòng, chống tác hại của thuốc lá", NULL},
  {"Luật Phòng, chống tác hại của rượu, bia", NULL},
  {"Nghị quyết số 21-NQ/TW", "Nghị quyết 21"},
  {"Nghị định số 146/2018/NĐ-CP", "Nghị định 146"},
  {"Nghị định số 75/2023/NĐ-CP", "Nghị định 75"},
  {"Nghị định số 96/2023/NĐ-CP", "Nghị định 96"},
  {"Thông tư số 22/2023/TT-BYT", "Thông tư 22"},
  {"Thông tư số 13/2023/TT-BYT", "Thông tư 13"},
  {"Thông tư số 32/2023/TT-BYT", "Thông tư 32"},
  {"Quyết định số 1816/QĐ-BYT", "Quyết định 1816"},
  {"Quyết định số 2348/QĐ-TTg", "Quyết định 2348"},
  {"Chiến lược quốc gia phòng, chống bệnh không lây nhiễm giai đoạn 2022 – 2025", NULL},
  {"Chiến lược Dân số Việt Nam đến năm 2030", NULL},
  {"Chương trình phòng, chống lao quốc gia", NULL},
  {"Chương trình phòng, chống HIV/AIDS", NULL},
  {"Chiến dịch tiêm vắc xin phòng COVID-19", NULL},
  {"Chương trình sữa học đường", NULL},
  {"Đề án xây dựng và phát triển mạng lưới y tế cơ sở trong tình hình mới", NULL},
  {"Chương trình khám sức khỏe định kỳ", NULL},
  {"Kế hoạch hành động quốc gia phòng, chống sốt xuất huyết", NULL},
  {"Chương trình phát triển y học cổ truyền", NULL},
  {"Chương trình chăm sóc sức khỏe người cao tuổi", NULL},
  {"Đề án Sổ sức khỏe điện tử", NULL},
  {"Chương trình phòng, chống suy dinh dưỡng trẻ em", NULL},
  {"Đề án hỗ trợ người bệnh ung thư", NULL},
  {"Chương trình an toàn người bệnh", NULL},
  {"Quyết định số 4210/QĐ-BYT", "Quyết định 4210"},
  {"Quyết định số 5316/QĐ-BYT", "Quyết định 5316"},
  {"Thông tư số 43/2013/TT-BYT", "Thông tư 43"},
  {"Thông tư số 35/2016/TT-BYT", "Thông tư 35"},
  {"Nghị định số 15/2018/NĐ-CP", "Nghị định 15"},
  {"Nghị định số 98/2021/NĐ-CP", "Nghị định 98"},
  {"Nghị quyết số 68/2013/QH13", "Nghị quyết 68"},
  {"Quyết định số 1624/QĐ-TTg", "Quyết định 1624"},
  {"Chương trình chuyển đổi số y tế", NULL},
  {"Đề án phát triển nguồn nhân lực y tế", NULL},
};
TT_GC_N(tt_gc__programs);

const char *const tt_gc__units[] = {
  "bệnh nhân", "người", "ca", "tuổi", "giường bệnh", "lượt", "trẻ", "người bệnh", "cơ sở y tế",
  "triệu đồng", "tỷ đồng", "máy", "trạm y tế", "xã", "học viên", "liều vắc xin", "mẫu xét nghiệm",
  "bác sĩ", "ngày", "tháng", "kg", "g", "km", "nhân viên y tế", "đơn vị", "thùng", "lượt khám",
};
TT_GC_N(tt_gc__units);

const char *const tt_gc__codes[] = {
  "COVID-19", "SARS-CoV-2", "H5N1", "HIV/AIDS", "HbA1c", "ECMO", "CT", "MRI", "PCR", "ICU",
  "AI", "ADN", "COPD", "BHYT", "UBND", "HPV", "RSV", "WHO", "JICA", "UNICEF", "CDC", "ICD-10",
  "Dengue", "EV71", "stent", "robot", "online", "vaccine", "PET/CT", "IVF", "VNeID", "Covid",
};
TT_GC_N(tt_gc__codes);

const char *const tt_gc__latin[] = {
  "ra", "mo", "li", "vin", "tel", "son", "dar", "ka", "zo", "pre", "gra", "nex", "ti", "lo",
  "cil", "dex", "tor", "ban", "fen", "ga", "lu", "mi", "no", "pa", "qui", "ro", "sa", "te",
  "ve", "xa", "zen", "bri", "cor", "del", "fla", "glo", "hep", "jor", "kel", "lam", "mer",
  "nor", "ost", "pla", "rex", "sol", "tri", "ul", "vor", "wen", "yar", "zol", "am", "bel",
  "cla", "dri", "er", "fos", "gen", "hal", "is", "jan", "kor", "lin", "man", "ner", "ox",
  "pen", "rin", "sto", "tan", "ur", "val", "wi", "xen", "yo", "zy",
};
TT_GC_N(tt_gc__latin);

const char *const tt_gc__drug_suffix[] = {
  "mab", "cillin", "pril", "statin", "vir", "zole", "mycin", "sartan", "tinib", "prazole",
  "dipine", "olol", "oxacin", "azepam", "parin", "cycline", "lukast", "gliptin", "formin", "ide",
};
TT_GC_N(tt_gc__drug_suffix);

const char *const tt_gc__name_suffix[] = {
  "son", "ton", "man", "ova", "ski", "ez", "ard", "berg", "ini", "ier", "sen", "ley", "o", "a",
};
TT_GC_N(tt_gc__name_suffix);

const char *const tt_gc__speech_verbs[] = {
  "cho biết", "nhấn mạnh", "chia sẻ", "khẳng định", "đề nghị", "thông tin", "cho hay",
  "nói", "phát biểu", "lưu ý",
};
TT_GC_N(tt_gc__speech_verbs);

const char *const tt_gc__captions[] = {
  "Quang cảnh buổi làm việc", "Quang cảnh hội nghị", "Ảnh minh họa", "Các đại biểu tham dự chương trình",
  "Bác sĩ thăm khám cho người bệnh", "Người dân đến khám tại trạm y tế",
  "Lãnh đạo bệnh viện phát biểu tại buổi làm việc", "Ê kíp phẫu thuật cho người bệnh",
  "Đoàn công tác làm việc tại địa phương", "Trao tặng trang thiết bị y tế",
};
TT_GC_N(tt_gc__captions);
