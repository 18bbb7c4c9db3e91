"""Pages in 8 languages rendered with pango-view and Debian's Noto fonts,
with their text: what bench/languages_bench.py times and bench/accuracy.py
scores (its kind "languages")."""
import os
import subprocess

# (ISO 639-1, Tesseract code, Noto font, text)
SAMPLES = [
    ("en", "eng", "Noto Serif",
     "The city library will be closed for repairs until the end of the month. Readers may return "
     "their books in the box by the main entrance, and the reading room reopens on Monday the "
     "fourth at nine in the morning. We thank our visitors for their patience."),
    ("de", "deu", "Noto Serif",
     "Die Gemeindeverwaltung teilt mit, dass die Bibliothek während der Sommerferien geschlossen "
     "bleibt. Bücher können jederzeit am Eingang zurückgegeben werden. Der Lesesaal öffnet "
     "wieder am Montag, dem vierten, um neun Uhr morgens."),
    ("ru", "rus", "Noto Sans",
     "Городская библиотека будет закрыта на ремонт до конца месяца. Читатели могут вернуть книги "
     "в ящик у главного входа. Читальный зал снова откроется в понедельник в девять часов утра."),
    ("el", "ell", "Noto Sans",
     "Η δημοτική βιβλιοθήκη θα παραμείνει κλειστή για ανακαίνιση μέχρι το τέλος του μήνα. Οι "
     "αναγνώστες μπορούν να επιστρέψουν τα βιβλία στην είσοδο. Η αίθουσα ανάγνωσης ανοίγει ξανά "
     "τη Δευτέρα στις εννέα το πρωί."),
    ("ar", "ara", "Noto Naskh Arabic",
     "ستغلق المكتبة العامة للصيانة حتى نهاية الشهر. يمكن للقراء إعادة الكتب في الصندوق عند "
     "المدخل الرئيسي. تفتح قاعة القراءة من جديد يوم الاثنين في الساعة التاسعة صباحا."),
    ("hi", "hin", "Noto Sans Devanagari",
     "नगर पुस्तकालय महीने के अंत तक मरम्मत के लिए बंद रहेगा। पाठक मुख्य द्वार पर रखे बक्से में "
     "पुस्तकें लौटा सकते हैं। वाचनालय सोमवार को सुबह नौ बजे फिर से खुलेगा।"),
    ("th", "tha", "Noto Sans Thai",
     "ห้องสมุดเมืองจะปิดปรับปรุงจนถึงสิ้นเดือนนี้ ผู้อ่านสามารถคืนหนังสือได้ที่กล่องหน้าทางเข้า "
     "ห้องอ่านหนังสือจะเปิดอีกครั้งในวันจันทร์เวลาเก้าโมงเช้า"),
    ("zh", "chi_sim", "Noto Sans CJK SC",
     "市图书馆将关闭维修至本月底。读者可以把书放在正门旁边的还书箱里。阅览室将于星期一上午九点重新开放。"
     "谢谢大家的理解和支持。"),
]


def render(directory, iso, font, text, dpi=300):
    """<directory>/<iso>[-<dpi>].png: `text` in `font` at 12 pt, 470 pt
    (6.5 in) wide, as a page scanned at `dpi`."""
    stem = iso if dpi == 300 else "%s-%d" % (iso, dpi)
    txt = os.path.join(directory, stem + ".txt")
    png = os.path.join(directory, stem + ".png")
    with open(txt, "w") as f:
        f.write(text)
    subprocess.run(["pango-view", "-q", "--dpi=%d" % dpi, "--margin=%d" % (dpi * 3 // 10), "--width=470",
                    "--font=%s 12" % font, "--background=white", "-o", png, txt], check=True)
    return png
