from flask import Blueprint

bp = Blueprint("dashboards", __name__, url_prefix="/console/dashboards")
