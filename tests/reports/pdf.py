import subprocess


def pdf_text(pdf, folder):
    """Return the text of the PDF bytes ``pdf``, its words one space apart."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(text.split())
