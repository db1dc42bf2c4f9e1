from xml.etree import ElementTree

from apps.recordings import format, xes

XES = "{http://www.xes-standard.org/}"


def test_write_drops_what_xml_cannot_hold():
    document = format.Recording(
        id="r1",
        title="t\ufffe\x01",
        events=[
            format.Event(
                seq=1,
                ts=0,
                type=format.EventType.CLICK,
                name="a\uffff\x0bb\ud800",
                path="/p\ufffe",
            )
        ],
    )

    root = ElementTree.fromstring(xes.write([document]))

    event = root.find(f"{XES}trace/{XES}event")
    values = {item.get("key"): item.get("value") for item in event}
    assert values["concept:name"] == "click: ab"
    assert values["path"] == "/p"
